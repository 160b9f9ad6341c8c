import axios from "axios";
import express from "express";

const token: string = process.env.API_TOKEN ?? "";
const app = express();
const ALLOWED_HOSTS = new Set(["api.cleanshop.test", "metrics.cleanshop.test"]);

export async function pushMetrics(body: unknown): Promise<void> {
  await fetch("https://metrics.cleanshop.test/v1/push", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
}

const billing = axios.create({
  baseURL: "https://api.cleanshop.test",
  headers: { "X-API-Key": process.env.BILLING_KEY },
  timeout: 10000,
});

export const charge = (amount: number) => billing.post("/charge", { amount });

app.get("/preview", async (req, res) => {
  const u = new URL(String(req.query.url));
  if (!ALLOWED_HOSTS.has(u.hostname)) {
    return res.sendStatus(400);
  }
  const r = await axios.get(u.toString(), { timeout: 5000 });
  res.send(r.data);
});
