import { DEFAULT_HOST, apiRoot, docsPage } from './constants';

export class Client {
  constructor(private key: string) {}

  async request(path: string): Promise<Response> {
    return fetch(`https://${DEFAULT_HOST}${path}`, { headers: { Authorization: `Bearer ${this.key}` } });
  }

  async list(): Promise<Response> {
    return fetch(`${apiRoot}/list`, { headers: { 'X-API-Key': this.key } });
  }

  help(): string {
    return `See ${docsPage}`;
  }
}
