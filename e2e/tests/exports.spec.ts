// Excel export through the on-demand export worker (issues 7 and 8): the demo village official
// drafts a roster, and until the first export the page never asks for the worker (its wasm is
// not part of the first load); the service worker has precached it all the same, so with the
// network off "下载 Excel" still makes a real .xlsx — a zip whose first worksheet holds the
// roster's grand total as a number and whose strings hold the total in capital numerals.
import { devices, expect, Page, Request, test } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { login, waitForOfflineShell } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

/** Syncs now; a district-wide first sync (the trainer's: 20,000 people) takes a minute or more. */
async function syncNow(page: Page, timeout = 150_000) {
  await page.goto("/sync");
  const button = page.getByTestId("sync-now");
  if (await button.isEnabled()) await button.click();
  await expect(page.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout });
  await expect(page.getByTestId("sync-pending")).toHaveText("0", { timeout: 30_000 });
}

/** One file of a zip archive (stored or deflated), found through the central directory. */
function unzip(zip: Buffer, name: string): string {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip: no end of central directory");
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error("bad central directory entry");
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const entry = zip.subarray(at + 46, at + 46 + nameLen).toString("utf8");
    names.push(entry);
    if (entry === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return (method === 8 ? zlib.inflateRawSync(data) : data).toString("utf8");
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`${name} is not in the zip (${names.join(", ")})`);
}

const isWorkerFile = (r: Request) => new URL(r.url()).pathname.startsWith("/cunju-export-worker");

test("a roster's Excel is made offline by the worker, which the first load never fetches", async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  // What the page itself asks for (the service worker's precache downloads are its own).
  const asked: string[] = [];
  page.on("request", (r) => {
    if (isWorkerFile(r)) asked.push(new URL(r.url()).pathname);
  });

  await login(page, "demo-village");
  await syncNow(page);
  await page.goto("/allowances");
  await expect(page.getByTestId("rates-in-force")).toHaveAttribute("data-version", "5099-2020");
  await page.getByTestId("allowances-new-roster").click();
  await expect(page.getByTestId("roster-form")).toBeVisible();
  await page.getByTestId("roster-submit").click();
  await expect(page).toHaveURL(/\/allowances\/rosters\/roster:/);
  await expect(page.getByTestId("roster-row")).toHaveCount(5);
  const fen = Number(await page.getByTestId("roster-total").getAttribute("data-fen"));
  expect(fen).toBeGreaterThan(0);
  const capital = (await page.getByTestId("roster-total-capital").textContent())!.trim();
  expect(capital).toMatch(/元整$/);

  // The worker is precached, not loaded: nothing of it was asked for by the page so far.
  await waitForOfflineShell(page);
  const precached = await page.evaluate(async () => {
    for (const key of await caches.keys()) {
      const cache = await caches.open(key);
      const files = ["/cunju-export-worker_loader.js", "/cunju-export-worker.js", "/cunju-export-worker_bg.wasm"];
      const hits = await Promise.all(files.map((f) => cache.match(f)));
      if (hits.every((h) => h !== undefined)) return true;
    }
    return false;
  });
  expect(precached).toBe(true);
  expect(asked).toEqual([]);

  // Offline: reload from the service worker, then export.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId("roster-total")).toHaveAttribute("data-fen", String(fen));
  expect(asked).toEqual([]);
  const started = Date.now();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("roster-xlsx").click()]);
  console.log(`first xlsx (worker start + 5-row roster): ${Date.now() - started} ms`);
  expect(download.suggestedFilename()).toMatch(/^发放花名册_5099001001_\d{4}-\d{2}_\d{4}-\d{2}\.xlsx$/);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cunju-xlsx-")), "roster.xlsx");
  await download.saveAs(file);
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");

  const sheet = unzip(bytes, "xl/worksheets/sheet1.xml");
  // The grand total is a number cell (yuan), not text.
  expect(sheet).toContain(`<v>${fen / 100}</v>`);
  const strings = unzip(bytes, "xl/sharedStrings.xml");
  expect(strings).toContain("社会工作职业资格津贴发放花名册");
  expect(strings).toContain("合计（大写）");
  expect(strings).toContain(capital);
  expect(unzip(bytes, "xl/workbook.xml")).toContain('name="发放花名册"');
  // Only now did the page start the worker, from the service worker's cache.
  expect(asked).toContain("/cunju-export-worker_loader.js");

  // A second export reuses the running worker.
  const [again] = await Promise.all([page.waitForEvent("download"), page.getByTestId("roster-xlsx").click()]);
  expect(again.suggestedFilename()).toBe(download.suggestedFilename());
  expect(asked.filter((p) => p === "/cunju-export-worker_loader.js")).toHaveLength(1);
  await context.close();
});

/** A Y4M video (what Chromium's fake camera plays) of `frames` identical grey frames. */
function y4m(width: number, height: number, luma: Uint8Array, frames = 2): Buffer {
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from("FRAME\n"), Buffer.from(luma), chroma, chroma);
  return Buffer.concat(parts);
}

/** The dark modules of the app's QR SVG (`M{x},{y}h1v1h-1z` each) drawn 8 px a module. */
function drawQr(svg: string, width: number, height: number): Uint8Array {
  const luma = new Uint8Array(width * height).fill(235);
  const scale = 8;
  const [x0, y0] = [140, 40];
  let modules = 0;
  for (const m of svg.matchAll(/M(\d+),(\d+)h1v1h-1z/g)) {
    modules++;
    const [mx, my] = [Number(m[1]), Number(m[2])];
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) luma[(y0 + my * scale + dy) * width + x0 + mx * scale + dx] = 20;
    }
  }
  if (modules < 100) throw new Error(`no QR code in ${svg.slice(0, 200)}`);
  return luma;
}

test("without BarcodeDetector the door screen reads a trainee's code with the Rust decoder, offline", async ({ playwright, baseURL }) => {
  test.setTimeout(300_000);
  const [W, H] = [640, 480];
  const video = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cunju-cam-")), "door.y4m");
  // The fake camera opens the file when the page starts it: a grey picture until we know
  // which code to show.
  fs.writeFileSync(video, y4m(W, H, new Uint8Array(W * H).fill(128)));
  const browser = await playwright.chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  const context = await browser.newContext({ ...phone, baseURL });
  await context.grantPermissions(["camera"]);
  // The fallback under test: a browser without BarcodeDetector (as Chromium on Linux is anyway).
  await context.addInitScript(() => {
    delete (window as unknown as { BarcodeDetector?: unknown }).BarcodeDetector;
  });
  const page = await context.newPage();
  await login(page, "demo-trainer");
  await syncNow(page);
  await page.goto("/training");
  await page.getByTestId("training-class-row").filter({ hasText: "履职培训班" }).locator("a").click();
  // The attendance sheet of the first session (200 trainees) as Excel: the first export of this
  // page, so the time includes starting the worker.
  const t0 = Date.now();
  const [sheet] = await Promise.all([page.waitForEvent("download"), page.getByTestId("session-xlsx").first().click()]);
  console.log(`first xlsx (worker start + 200-row attendance sheet): ${Date.now() - t0} ms`);
  expect(sheet.suggestedFilename()).toMatch(/^签到表-\d{4}-\d{2}-\d{2}-.+\.xlsx$/);
  const sheetFile = path.join(path.dirname(video), "sheet.xlsx");
  await sheet.saveAs(sheetFile);
  const sheetXml = unzip(fs.readFileSync(sheetFile), "xl/worksheets/sheet1.xml");
  // 2 title lines, the header, 200 trainees, the footer.
  expect(sheetXml.match(/<row /g)).toHaveLength(204);

  await page.getByTestId("show-qr").click();
  const card = page.getByTestId("qr-card").nth(3);
  const name = (await card.locator("span").textContent())!.trim();
  const svg = await card.locator(".qr").innerHTML();
  fs.writeFileSync(video, y4m(W, H, drawQr(svg, W, H)));

  // The second session, offline, and nothing of it synced afterwards: the server stays as the
  // demo seeded it for the other specs.
  await page.getByTestId("session-attendance").nth(1).click();
  await expect(page.getByTestId("door-row")).toHaveCount(200);
  await waitForOfflineShell(page);
  await context.setOffline(true);
  const row = page.getByTestId("door-row").filter({ hasText: name });
  await expect(row).toHaveAttribute("data-state", "absent");
  await expect(page.getByTestId("door-present")).toHaveText("0");

  await page.getByTestId("door-scan").click();
  await expect(page.getByTestId("door-scan")).toHaveAttribute("data-reader", "wasm", { timeout: 30_000 });
  await expect(row).toHaveAttribute("data-state", "present", { timeout: 30_000 });
  await expect(row.getByTestId("door-status")).toContainText("已签到");
  await expect(page.getByTestId("door-present")).toHaveText("1");
  await page.getByTestId("door-scan").click(); // stop the camera
  await context.close();
  await browser.close();
});

test("a worker that cannot load gives a clear Chinese message, and the next try starts afresh", async ({ browser }) => {
  test.setTimeout(180_000);
  // No service worker, so the page's own requests are all there is to cut.
  const context = await browser.newContext({ ...phone, serviceWorkers: "block" });
  const page = await context.newPage();
  await login(page, "demo-village");
  await syncNow(page);
  await page.goto("/allowances");
  await expect(page.getByTestId("rates-in-force")).toHaveAttribute("data-version", "5099-2020");
  await page.getByTestId("allowances-new-roster").click();
  await page.getByTestId("roster-submit").click();
  await expect(page.getByTestId("roster-row")).toHaveCount(5);

  await context.route("**/cunju-export-worker*", (route) => route.abort("internetdisconnected"));
  await page.getByTestId("roster-xlsx").click();
  await expect(page.getByTestId("roster-xlsx-error")).toHaveText(
    "导出组件未能加载：须联网打开本应用一次以缓存导出组件，之后离线也能导出和扫码。请联网后重试。",
  );
  await expect(page.getByTestId("roster-xlsx")).toHaveText("下载 Excel");

  await context.unroute("**/cunju-export-worker*");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("roster-xlsx").click()]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  await expect(page.getByTestId("roster-xlsx-error")).toHaveCount(0);
  await context.close();
});
