// Evidence photos: a township supervisor, offline, photographs the posted notice for a step;
// the photo survives a reload and waits to upload; the photo upload is cut off while the events
// sync, so a second phone sees the tick with "照片尚未同步" (never an error); once the upload
// goes through, the second phone shows the photo.
import { devices, expect, test } from "@playwright/test";
import * as zlib from "node:zlib";
import { login, waitForOfflineShell } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

function isoDay(offsetDays: number): string {
  const ms = Date.now() + 8 * 3600_000 + offsetDays * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A `width`×`height` RGB PNG with a gradient (so its JPEG is not trivially tiny). */
function png(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      rows[row + 1 + x * 3] = (x * 255) / width;
      rows[row + 2 + x * 3] = (y * 255) / height;
      rows[row + 3 + x * 3] = 128;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("a supervisor photographs a step offline; another phone shows it once it is uploaded", async ({ browser }) => {
  test.setTimeout(120_000);
  const deviceA = await browser.newContext(phone);
  const a = await deviceA.newPage();
  await login(a, "demo-supervisor");
  await a.goto("/elections");
  await waitForOfflineShell(a);
  await a.goto("/elections/new");
  await a.getByTestId("election-unit").selectOption("5099001007");
  await a.getByTestId("election-day").fill(isoDay(50));
  await a.getByTestId("election-committee-day").fill(isoDay(-5));
  await a.getByTestId("election-submit").click();
  await expect(a).toHaveURL(/\/elections\/(?!new$)[0-9A-Za-z]+$/);

  await deviceA.setOffline(true);
  await expect(a.getByTestId("online-indicator")).toHaveText("离线");
  await a.getByTestId("step-V02").getByRole("link").click();
  await expect(a.getByTestId("step-title")).toContainText("V02");
  const stepPath = new URL(a.url()).pathname;

  // Not an image: a clear message, nothing attached.
  await a.getByTestId("tick-photos-input").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("不是照片") });
  await expect(a.getByTestId("tick-photos-error")).toContainText("不是可识别的图片");
  await expect(a.getByTestId("tick-photos-thumb")).toHaveCount(0);

  // Two photos (one larger than 1600 px), one removed again before saving.
  await a.getByTestId("tick-photos-input").setInputFiles({ name: "notice.png", mimeType: "image/png", buffer: png(2000, 1200) });
  await expect(a.getByTestId("tick-photos-thumb")).toHaveCount(1);
  await a.getByTestId("tick-photos-input").setInputFiles({ name: "other.png", mimeType: "image/png", buffer: png(64, 48) });
  await expect(a.getByTestId("tick-photos-thumb")).toHaveCount(2);
  await expect(a.getByTestId("tick-photos-error")).toHaveCount(0);
  await a.getByTestId("tick-photos-remove").nth(1).click();
  await expect(a.getByTestId("tick-photos-thumb")).toHaveCount(1);
  const hash = await a.getByTestId("tick-photos-thumb").getAttribute("data-hash");
  expect(hash).toMatch(/^[0-9a-f]{64}$/);

  await a.getByTestId("tick-notes").fill("公告已张贴，见照片");
  await a.getByTestId("tick-submit").click();
  await expect(a.getByTestId("step-saved")).toBeVisible();
  await expect(a.getByTestId("tick-photos-thumb")).toHaveCount(0);
  const shown = a.getByTestId("evidence-photo");
  await expect(shown).toHaveCount(1);
  await expect(shown).toHaveAttribute("data-hash", hash!);

  // Offline reload: the photo is on the device, resized to at most 1600 px.
  await a.reload();
  const img = a.getByTestId("evidence-photo").locator("img");
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(1600);
  expect(await img.evaluate((el: HTMLImageElement) => el.naturalHeight)).toBe(960);
  await a.goto("/sync");
  await expect(a.getByTestId("sync-pending-photos")).toHaveText("1");

  // Back online, but the photo upload does not get through: the events sync regardless.
  let uploadsCut = 0;
  await a.route("**/api/v1/blobs/**", (route) => {
    uploadsCut++;
    return route.abort("internetdisconnected");
  });
  await deviceA.setOffline(false);
  await a.getByTestId("sync-now").click();
  await expect(a.getByTestId("sync-pending")).toHaveText("0", { timeout: 30_000 });
  await expect.poll(() => uploadsCut, { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(a.getByTestId("sync-pending-photos")).toHaveText("1");

  // The second phone has the tick but not yet the photo: a placeholder, not an error.
  const deviceB = await browser.newContext(phone);
  const b = await deviceB.newPage();
  await login(b, "demo-supervisor");
  await b.goto("/sync");
  await b.getByTestId("sync-now").click();
  await expect(b.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout: 60_000 });
  await b.goto(stepPath);
  await expect(b.getByTestId("step-notes")).toHaveText("公告已张贴，见照片");
  await expect(b.getByTestId("evidence-not-synced")).toHaveText("照片尚未同步");
  await expect(b.locator("[role=alert]")).toHaveCount(0);

  // The next sync of the first phone uploads the photo (resumed); then the second phone shows it.
  await a.unroute("**/api/v1/blobs/**");
  await a.getByTestId("sync-now").click();
  await expect(a.getByTestId("sync-pending-photos")).toHaveText("0", { timeout: 30_000 });
  await b.reload();
  const bImg = b.getByTestId("evidence-photo").locator("img");
  await expect(bImg).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => bImg.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(1600);
  await expect(b.getByTestId("evidence-not-synced")).toHaveCount(0);

  // Now kept on the second phone: it shows offline too.
  await deviceB.setOffline(true);
  await b.reload();
  await expect(b.getByTestId("evidence-photo").locator("img")).toBeVisible();

  await deviceA.close();
  await deviceB.close();
});
