// A village official's phone is lost: it had synced its records. The district administrator
// finds the phone in the devices list of /accounts and revokes it (two taps). The list marks it
// revoked, and the phone's session no longer works on the server: its next sync is refused and
// asks to sign in again, while what it uploaded before stays on the server.
import { devices, expect, test } from "@playwright/test";
import { idNumber, login, recordPerson } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

test("an administrator revokes a lost phone from the accounts screen", async ({ browser }) => {
  const lostContext = await browser.newContext(phone);
  const lost = await lostContext.newPage();
  await login(lost, "demo-village");
  await lost.goto("/people");
  await recordPerson(lost, { name: "赵丢机", sex: "male", birth: "1970-05-05", id: idNumber("500199", "19700505", "515") });
  await lost.goto("/sync");
  await lost.getByTestId("sync-now").click();
  await expect(lost.getByTestId("sync-pending")).toHaveText("0", { timeout: 20_000 });

  const adminContext = await browser.newContext(phone);
  const admin = await adminContext.newPage();
  await login(admin, "demo-admin");
  await admin.goto("/accounts");
  const row = admin.getByTestId("device-row").filter({ hasText: "demo-village" }).first();
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText("1 条记录");
  await row.getByTestId("device-revoke").click();
  await expect(row.getByTestId("device-revoke")).toContainText("确认停用");
  await row.getByTestId("device-revoke").click();
  const revoked = admin.getByTestId("device-row").filter({ hasText: "demo-village" }).first();
  await expect(revoked.getByTestId("device-revoked")).toBeVisible();
  await expect(revoked.getByTestId("device-revoke")).toHaveCount(0);

  // The lost phone's session is dead: a new record cannot be uploaded with it.
  await lost.goto("/people");
  await recordPerson(lost, { name: "钱后录", sex: "female", birth: "1980-06-06", id: idNumber("500199", "19800606", "626") });
  await lost.goto("/sync");
  // The app may already have tried on its own; if not, try now.
  const syncNow = lost.getByTestId("sync-now");
  if (await syncNow.isEnabled()) await syncNow.click();
  await expect(lost.getByTestId("sync-needs-login")).toBeVisible({ timeout: 20_000 });
  await expect(lost.getByTestId("sync-pending")).toHaveText("1");

  // What it uploaded before the loss stays: the administrator still finds the first person.
  await admin.goto("/sync");
  await admin.getByTestId("sync-now").click();
  await expect(admin.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout: 20_000 });
  await admin.goto("/people");
  await admin.getByTestId("people-search").fill("赵丢机");
  await expect(admin.getByTestId("people-list")).toContainText("赵丢机");

  await lostContext.close();
  await adminContext.close();
});

// No signal at all: a phone records a person offline and exports its waiting records as a bundle
// file; a second phone imports the file and shows the person; an edited copy is refused whole.
test("a bundle file carries records from a phone with no signal to another device", async ({ browser }) => {
  const fieldContext = await browser.newContext(phone);
  const field = await fieldContext.newPage();
  await login(field, "demo-village");
  await field.goto("/people");
  await fieldContext.setOffline(true);
  await recordPerson(field, { name: "孙无网", sex: "female", birth: "1985-07-07", id: idNumber("500199", "19850707", "737") });
  await field.goto("/sync");
  await expect(field.getByTestId("sync-pending")).toHaveText("1");
  const downloading = field.waitForEvent("download");
  await field.getByTestId("bundle-export").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/\.cunju\.json$/);
  const file = await download.path();
  await expect(field.getByTestId("bundle-ok")).toContainText("1");

  const otherContext = await browser.newContext(phone);
  const other = await otherContext.newPage();
  await login(other, "demo-village");
  await other.goto("/sync");
  // An edited copy: refused, nothing stored.
  const fs = await import("node:fs");
  const text = fs.readFileSync(file, "utf8");
  fs.writeFileSync(`${file}.edited.json`, text.replace("孙无网", "孙改名"));
  await other.getByTestId("bundle-import").setInputFiles(`${file}.edited.json`);
  await expect(other.getByTestId("bundle-error")).toContainText("传输包");
  await other.getByTestId("bundle-import").setInputFiles(file);
  await expect(other.getByTestId("bundle-ok")).toContainText("已导入新记录： 1");
  await other.getByTestId("bundle-import").setInputFiles(file);
  await expect(other.getByTestId("bundle-ok")).toContainText("已导入新记录： 0");
  await other.goto("/people");
  await other.getByTestId("people-search").fill("孙无网");
  await expect(other.getByTestId("people-list")).toContainText("孙无网");

  await fieldContext.close();
  await otherContext.close();
});
