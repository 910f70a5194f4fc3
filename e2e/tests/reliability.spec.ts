// Reliability in the browser: a full device storage refuses a write (clear message, nothing
// already stored lost); a village with no signal carries its records as a bundle file to a
// connected computer (importing twice stores nothing twice); an administrator revokes a lost
// phone, whose session then ends.
import { devices, expect, test } from "@playwright/test";
import * as fs from "node:fs";
import { idNumber, login, recordPerson, waitForOfflineShell } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

test("a full storage refuses the write with a clear message and loses nothing", async ({ browser }) => {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await login(page, "demo-village");
  await page.goto("/people");
  await waitForOfflineShell(page);
  await context.setOffline(true);
  const kept = { name: "赵存档", sex: "male" as const, birth: "1970-01-02", id: idNumber("500199", "19700102", "115") };
  await recordPerson(page, kept);

  // The disk fills up: IndexedDB refuses writes with QuotaExceededError. (Chromium's CDP quota
  // override does not reach a Playwright browser context, so the refusal is made where IndexedDB
  // makes it: the event row is written, then the entity row of the same transaction is refused,
  // which also proves the transaction leaves nothing half-written.)
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    (window as any).__diskFull = true;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: any[]) {
      if ((window as any).__diskFull && this.name === "entities") {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      }
      return put.apply(this, args as any);
    } as any;
  });

  await page.getByTestId("person-name").fill("钱满额");
  await page.getByTestId("person-sex").selectOption("female");
  await page.getByTestId("person-ethnicity").fill("汉族");
  await page.getByTestId("person-id-number").fill(idNumber("500199", "19800304", "226"));
  await page.getByTestId("person-birth-date").fill("1980-03-04");
  await page.getByTestId("person-submit").click();
  const error = page.getByTestId("person-store-error");
  await expect(error).toBeVisible();
  await expect(error).toContainText("本机存储空间已满");
  await expect(error).toContainText("已保存的记录不受影响");
  await expect(page.getByTestId("person-saved")).toBeHidden();

  // Room again: everything saved before is still there, the refused one was not half-written.
  await page.reload();
  await expect(page.getByTestId("people-list")).toContainText(kept.name);
  await expect(page.getByTestId("people-list")).not.toContainText("钱满额");
  await expect(page.getByTestId("pending-count")).toHaveText("1");
  await context.close();
});

test("records travel by bundle file from a phone with no signal, once, however often imported", async ({ browser }, testInfo) => {
  const field = await browser.newContext({ ...phone, acceptDownloads: true });
  const p = await field.newPage();
  await login(p, "demo-village");
  await p.goto("/people");
  await waitForOfflineShell(p);
  await field.setOffline(true);
  const people = [
    { name: "孙无网", sex: "female" as const, birth: "1966-05-06", id: idNumber("500199", "19660506", "328") },
    { name: "周远山", sex: "male" as const, birth: "1959-12-30", id: idNumber("500199", "19591230", "417") },
  ];
  for (const person of people) await recordPerson(p, person);

  await p.goto("/sync/transfer");
  await expect(p.getByTestId("transfer-pending")).toHaveText("2");
  const [download] = await Promise.all([
    p.waitForEvent("download"),
    p.getByTestId("transfer-export-button").click(),
  ]);
  await expect(p.getByTestId("transfer-export-done")).toHaveAttribute("data-count", "2");
  const file = testInfo.outputPath("bundle.json");
  await download.saveAs(file);
  expect(JSON.parse(fs.readFileSync(file, "utf8")).events).toHaveLength(2);

  // An edited file is refused whole, with the reason.
  const edited = testInfo.outputPath("edited.json");
  fs.writeFileSync(edited, fs.readFileSync(file, "utf8").replace("孙无网", "孙改名"));

  // At the township office: the same official, on a connected computer.
  const office = await browser.newContext(phone);
  const o = await office.newPage();
  await login(o, "demo-village");
  await o.goto("/sync/transfer");
  await o.getByTestId("transfer-import-file").setInputFiles(edited);
  await expect(o.getByTestId("transfer-import-error")).toContainText("传输包");
  await o.getByTestId("transfer-import-file").setInputFiles(file);
  const done = o.getByTestId("transfer-import-done");
  await expect(done).toHaveAttribute("data-accepted", "2");
  await expect(done).toHaveAttribute("data-rejected", "0");
  // Twice: nothing new.
  await o.getByTestId("transfer-import-file").setInputFiles(file);
  await expect(done).toHaveAttribute("data-duplicates", "2");
  await expect(done).toHaveAttribute("data-accepted", "0");
  await o.goto("/people");
  for (const person of people) await expect(o.getByTestId("people-list")).toContainText(person.name, { timeout: 20_000 });

  // The phone gets signal later: its push finds the records stored and nothing is duplicated.
  await field.setOffline(false);
  await p.goto("/sync");
  await p.getByTestId("sync-now").click();
  await expect(p.getByTestId("sync-pending")).toHaveText("0", { timeout: 20_000 });
  await expect(p.getByTestId("rejected-none")).toBeVisible();
  await field.close();
  await office.close();
});

test("an administrator revokes a lost phone and its session ends", async ({ browser }) => {
  const lost = await browser.newContext(phone);
  const l = await lost.newPage();
  await login(l, "demo-village");
  await l.goto("/people");
  await recordPerson(l, { name: "吴丢机", sex: "male", birth: "1972-08-09", id: idNumber("500199", "19720809", "531") });
  await l.goto("/sync");
  await l.getByTestId("sync-now").click();
  await expect(l.getByTestId("sync-pending")).toHaveText("0", { timeout: 20_000 });
  const device = (await l.getByTestId("sync-device-id").textContent())!.trim();
  expect(device).not.toBe("");

  const admin = await browser.newContext(phone);
  const a = await admin.newPage();
  await login(a, "demo-admin");
  await a.goto("/");
  await a.getByTestId("nav-devices").click();
  const row = a.locator(`[data-testid="device-row"][data-device="${device}"]`);
  await expect(row).toBeVisible();
  await row.getByTestId("device-revoke").click();
  await expect(row.getByTestId("device-revoke-warning")).toBeVisible();
  await row.getByTestId("device-revoke-confirm").click();
  await expect(a.locator(`[data-testid="device-row"][data-device="${device}"] [data-testid="device-revoked"]`)).toBeVisible();

  // The lost phone's next sync is turned away and asks for a login.
  await l.getByTestId("sync-now").click();
  await expect(l.getByTestId("sync-needs-login")).toBeVisible({ timeout: 20_000 });
  await lost.close();
  await admin.close();
});
