// The walking skeleton as a user meets it: the app loads from the real server in Chinese,
// switches to English, and still opens with the network off after one visit.
import { expect, test } from "@playwright/test";

test("home names the four modules in Chinese and switches to English", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator("header .brand")).toContainText("村居台账");
  const modules = page.getByTestId("modules");
  for (const name of ["换届选举", "资格审查", "社工津贴", "培训"]) {
    await expect(modules).toContainText(name);
  }
  await expect(page.getByTestId("online-indicator")).toHaveText("在线");
  await expect(page.getByTestId("storage-state")).toHaveText("本机存储已就绪");
  // Before anyone signs in, the sync badge says so rather than "synced".
  await expect(page.getByTestId("sync-badge")).toHaveAttribute("data-state", "signed-out");
  await expect(page.getByTestId("sync-badge")).toContainText("未登录");
  expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");

  await page.getByTestId("lang-switch").click();
  await expect(modules).toContainText("Committee elections");
  expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
  // The choice survives a reload.
  await page.reload();
  await expect(modules).toContainText("Training");
});

test("the shell renders again offline after one visit", async ({ page, context }) => {
  await page.goto("/");
  await expect(page.getByTestId("modules")).toContainText("换届选举");
  // Wait until the service worker has precached the build and controls the page.
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
    return registration.active?.state;
  });

  await context.setOffline(true);
  await expect(page.getByTestId("online-indicator")).toHaveText("离线");
  await expect(page.getByTestId("offline-hint")).toBeVisible();
  await page.reload();
  await expect(page.locator("header .brand")).toContainText("村居台账");
  await expect(page.getByTestId("modules")).toContainText("培训");
  await expect(page.getByTestId("online-indicator")).toHaveText("离线");

  // A deep link also opens offline (the service worker answers navigations with the shell).
  await page.goto("/some/deep/link");
  await expect(page.locator("header .brand")).toContainText("村居台账");
  await context.setOffline(false);
});

test("the app is installable: manifest, icons and service worker are served", async ({ request }) => {
  const manifest = await (await request.get("/manifest.webmanifest")).json();
  expect(manifest.display).toBe("standalone");
  expect(manifest.lang).toBe("zh-CN");
  for (const icon of manifest.icons) {
    const res = await request.get(icon.src);
    expect(res.status(), icon.src).toBe(200);
    expect(res.headers()["content-type"]).toContain("image/png");
  }
  const sw = await request.get("/sw.js");
  expect(sw.status()).toBe(200);
  const body = await sw.text();
  expect(body).not.toContain("__CUNJU_PRECACHE__");
  expect(body).toMatch(/\/index\.html/);
  expect(body).toMatch(/\.wasm/);
});
