import axios from "axios";
import https from "https";
import express from "express";

const token: string = process.env.API_TOKEN ?? "";
const app = express();

export async function pushMetrics(body: unknown): Promise<void> {
  await fetch("https://metrics.vulnshop.test/v1/push", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

const billing = axios.create({
  baseURL: "http://billing.vulnshop.test",
  headers: { "X-API-Key": "bk9fQ2mZ7xR4tL8wN3vB6yH1cJ5kD0pS" },
  httpsAgent: new https.Agent({ rejectUnauthorized: false }),
});

export const charge = (amount: number) => billing.post("/charge", { amount });

app.get("/preview", async (req, res) => {
  const r = await axios.get(req.query.url as string, { headers: { Authorization: `Bearer ${token}` }, timeout: 5000 });
  res.send(r.data);
});

export async function follow(url: string) {
  const r = await fetch(url, { redirect: "manual", headers: { Authorization: `Bearer ${token}` } });
  const next = r.headers.get("location");
  return fetch(next as string, { headers: { Authorization: `Bearer ${token}` } });
}
