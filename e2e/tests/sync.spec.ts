// Two phones, one village: device A records people with no signal, reloads while still offline
// (nothing is lost), comes back online and syncs; device B then pulls and shows the same people.
import { devices, expect, test } from "@playwright/test";
import { idNumber, login, recordPerson, waitForOfflineShell } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

test("records made offline on device A reach device B after sync", async ({ browser }) => {
  const people = [
    { name: "李秀英", sex: "female" as const, birth: "1975-03-08", id: idNumber("500199", "19750308", "202") },
    { name: "王建国", sex: "male" as const, birth: "1968-11-23", id: idNumber("500199", "19681123", "311") },
    { name: "张小红", sex: "female" as const, birth: "2001-07-01", id: idNumber("500199", "20010701", "044") },
  ];

  const deviceA = await browser.newContext(phone);
  const a = await deviceA.newPage();
  await login(a, "demo-village");
  await a.goto("/people");
  await waitForOfflineShell(a);

  await deviceA.setOffline(true);
  await expect(a.getByTestId("online-indicator")).toHaveText("离线");
  for (const person of people) {
    await recordPerson(a, person);
  }
  for (const person of people) {
    await expect(a.getByTestId("people-list")).toContainText(person.name);
  }
  await expect(a.getByTestId("pending-count")).toHaveText("3");

  // A reload with no network: the shell comes from the service worker, the records from IndexedDB.
  await a.reload();
  for (const person of people) {
    await expect(a.getByTestId("people-list")).toContainText(person.name);
  }
  await expect(a.getByTestId("pending-count")).toHaveText("3");
  // Identity numbers are masked on screen.
  await expect(a.getByTestId("people-list")).not.toContainText(people[1].id);

  await deviceA.setOffline(false);
  await a.goto("/sync");
  await a.getByTestId("sync-now").click();
  await expect(a.getByTestId("sync-pending")).toHaveText("0", { timeout: 20_000 });
  await expect(a.getByTestId("rejected-none")).toBeVisible();

  const deviceB = await browser.newContext(phone);
  const b = await deviceB.newPage();
  await login(b, "demo-village");
  await b.goto("/sync");
  await b.getByTestId("sync-now").click();
  await expect(b.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout: 20_000 });
  await b.goto("/people");
  for (const person of people) {
    await expect(b.getByTestId("people-list")).toContainText(person.name);
  }

  await deviceA.close();
  await deviceB.close();
});
