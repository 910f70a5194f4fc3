// Playwright drives Debian's Chromium (never a downloaded browser) against the real
// cunju-server serving the built app from dist/, on a fresh SQLite database per run.
import { defineConfig, devices } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const port = Number(process.env.CUNJU_E2E_PORT ?? 18080);
const serverBin = process.env.CUNJU_SERVER_BIN ?? path.resolve(__dirname, "../target/debug/cunju-server");
const dist = process.env.CUNJU_DIST ?? path.resolve(__dirname, "../dist");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cunju-e2e-"));
const db = `sqlite://${path.join(dataDir, "e2e.db")}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: "zh-CN",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    // A cheap Android phone: 360 px wide, touch.
    { name: "phone", use: { ...devices["Pixel 5"], viewport: { width: 360, height: 740 } } },
  ],
  webServer: {
    command: `"${serverBin}" seed-demo --db ${db} && "${serverBin}" serve --listen 127.0.0.1:${port} --db ${db} --static-dir "${dist}"`,
    url: `http://127.0.0.1:${port}/api/v1/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
  },
});
