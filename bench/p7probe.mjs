// Temporary probe (not committed): where P7's time goes.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { chromium } from "@playwright/test";
const port = 18190;
const dir = fs.mkdtempSync("/tmp/p7probe-");
const child = spawn(process.env.SERVER, ["serve", "--listen", `127.0.0.1:${port}`, "--db", `sqlite://${dir}/db.sqlite`, "--static-dir", process.env.DIST], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 1500));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${port}/`);
await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.cunju_bench_append_notes, null, { timeout: 60000 });
const rate = Number(process.env.RATE ?? 1);
if (rate > 1) { const cdp = await page.context().newCDPSession(page); await cdp.send("Emulation.setCPUThrottlingRate", { rate }); }
for (let r = 0; r < 3; r++) {
  const out = await page.evaluate(async (n) => {
    const plain = (durability, indexes, big, readFirst) => new Promise((resolve, reject) => {
      const open = indexedDB.open(`probe-${Math.random()}`, 1);
      open.onupgradeneeded = () => {
        const s = open.result.createObjectStore("events", { keyPath: "id" });
        open.result.createObjectStore("meta");
        if (indexes) { s.createIndex("entity", "entity"); s.createIndex("device_seq", ["device", "seq"], { unique: true }); s.createIndex("pending", "pending"); s.createIndex("pending_order", ["pending", "device", "seq"]); }
      };
      open.onerror = () => reject(open.error);
      open.onsuccess = async () => {
        const db = open.result;
        const t0 = performance.now();
        for (let i = 0; i < n; i++) {
          await new Promise((ok, err) => {
            const tx = db.transaction(["events", "meta"], "readwrite", { durability });
            const ev = tx.objectStore("events"), meta = tx.objectStore("meta");
            const write = () => {
              const rec = big ? { id: `e${i}`, entity: "unit:5099001001", device: "dabcdef0123456789", seq: i, pending: 1, json: JSON.stringify({ id: `e${i}`, device: "dabcdef0123456789abcdef0123456789", seq: i, hlc: { wall_ms: 1750000000000 + i, counter: 0 }, actor: "ubench", unit: "5099001001", entity: "unit:5099001001", body: { kind: "note", text: `第 ${i} 条记录：入户走访，家中留守老人两名，已登记联系方式。` }, prev: "a".repeat(64), hash: "b".repeat(64) }) } : { id: `e${i}`, seq: i, body: { kind: "note", text: `第 ${i} 条记录` } };
              ev.add(rec);
              if (readFirst) meta.put({ device: "d", next_seq: i + 1, last_hash: "b".repeat(64), hlc: { wall_ms: 1, counter: 0 } }, "device_log");
            };
            if (readFirst) { let k = 2; const done = () => { if (--k === 0) write(); }; meta.get("device_log").onsuccess = done; ev.get("unit:x").onsuccess = done; } else write();
            tx.oncomplete = ok; tx.onerror = () => err(tx.error);
          });
        }
        const ms = performance.now() - t0; db.close(); resolve(ms);
      };
    });
    const res = {};
    res.store = await window.wasmBindings.cunju_bench_append_notes(n, true);
    res.plain_strict = await plain("strict", false, false, false);
    res.plain_default = await plain("default", false, false, false);
    res.plain_relaxed = await plain("relaxed", false, false, false);
    res.like_ours_default = await plain("default", true, true, true);
    res.like_ours_strict = await plain("strict", true, true, true);
    res.like_ours_noread_default = await plain("default", true, true, false);
    return res;
  }, 1000);
  console.log(JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v)]))));
}
await browser.close(); child.kill(); fs.rmSync(dir, { recursive: true, force: true });
