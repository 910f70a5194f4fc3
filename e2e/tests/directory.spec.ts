// The directory as the township supervisor and the village official use it on two phones: the
// supervisor imports a village's groups from a CSV that has one bad row (clear line error, nothing
// imported), fixes it and imports; the village official syncs, records a person in a new group,
// finds them by identity number, is stopped from recording the same number twice and links a
// relative; the supervisor syncs and finds that person by identity number (masked on screen).
import { expect, test, devices } from "@playwright/test";
import { idNumber, login, recordPerson } from "./helpers";

async function syncNow(page: import("@playwright/test").Page, timeout = 30_000) {
  await page.goto("/sync");
  // The first sync after login starts by itself; otherwise start one.
  const button = page.getByTestId("sync-now");
  if (await button.isEnabled()) await button.click();
  await expect(page.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout });
}

function csvFile(text: string) {
  return { name: "units.csv", mimeType: "text/csv", buffer: Buffer.from(text, "utf-8") };
}

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

test("a supervisor imports units with a bad row, fixes it, imports, then finds a person by ID", async ({ browser }) => {
  const supervisorDevice = await browser.newContext(phone);
  const supervisor = await supervisorDevice.newPage();
  // A township's first sync brings some 11,000 records (its residents and families) onto the
  // phone; this debug build under test takes a while for it.
  test.setTimeout(360_000);
  await login(supervisor, "demo-supervisor");
  await syncNow(supervisor, 180_000);
  let page = supervisor;

  await page.goto("/units/import");
  const bad = "代码,名称,类型,上级代码\n5099001001901,试点一组(测试),小组,5099001001\n5099001001902,试点二组(测试),组别,5099001001\n";
  await page.getByTestId("units-import-file").setInputFiles(csvFile(bad));
  const errors = page.getByTestId("units-import-error-row");
  await expect(errors).toHaveCount(1);
  await expect(errors.first()).toHaveAttribute("data-line", "3");
  await expect(errors.first()).toContainText("类型“组别”无效");
  await expect(page.getByTestId("units-import-submit")).toHaveCount(0);

  // Nothing was imported: the tree has no 试点镇.
  await page.goto("/units");
  await expect(page.getByTestId("unit-tree")).toBeVisible();
  await expect(page.getByTestId("unit-tree")).not.toContainText("试点一组(测试)");

  await page.goto("/units/import");
  await page.getByTestId("units-import-file").setInputFiles(csvFile(bad.replace(",组别,", ",小组,")));
  await expect(page.getByTestId("units-import-errors")).toHaveCount(0);
  await page.getByTestId("units-import-submit").click();
  await expect(page.getByTestId("units-import-done")).toHaveAttribute("data-written", "2");

  await page.goto("/units");
  // The supervisor's tree starts at the township; open the village to see its new groups.
  await page.locator('[data-testid="unit-node"][data-code="5099001001"] [data-testid="unit-toggle"]').first().click();
  await expect(page.locator('[data-testid="unit-node"][data-code="5099001001901"]')).toContainText("试点一组(测试)");
  await syncNow(page);
  await expect(page.getByTestId("sync-pending")).toHaveText("0");

  // The village official's phone receives the new groups and records a person in one.
  const villageDevice = await browser.newContext(phone);
  page = await villageDevice.newPage();
  await login(page, "demo-village");
  await syncNow(page);
  await page.goto("/units");
  await expect(page.getByTestId("unit-tree")).toContainText("试点一组(测试)");

  // Record a person in the new group and find them by the full identity number.
  const person = { name: "赵试点", sex: "male" as const, birth: "1982-04-16", id: idNumber("500199", "19820416", "517") };
  await page.goto("/people");
  await page.getByTestId("person-unit").fill("5099001001901");
  await recordPerson(page, person);
  await page.getByTestId("people-search").fill(person.id);
  await expect(page.getByTestId("person-row")).toHaveCount(1);
  await expect(page.getByTestId("person-row-name")).toHaveText(person.name);
  // The same number again in the same unit is refused, naming the existing record.
  await page.getByTestId("person-unit").fill("5099001001901");
  await page.getByTestId("person-name").fill("赵重复");
  await page.getByTestId("person-sex").selectOption("male");
  await page.getByTestId("person-id-number").fill(person.id);
  await page.getByTestId("person-submit").click();
  await expect(page.getByTestId("person-id-number-error")).toContainText("赵试点");
  await page.getByTestId("people-search").fill(person.id);
  await expect(page.getByTestId("person-row")).toHaveCount(1);

  // Link a child as a close relative from the person's page; the relation shows on both sides.
  const child = { name: "赵小点", sex: "female" as const, birth: "2010-09-01", id: idNumber("500199", "20100901", "528") };
  await page.getByTestId("people-search").fill("");
  await page.getByTestId("person-unit").fill("5099001001901");
  await recordPerson(page, child);
  await page.getByTestId("people-search").fill(person.id);
  await page.getByTestId("person-row").first().locator("a").first().click();
  await expect(page.getByTestId("person-detail-name")).toHaveText(person.name);
  await page.getByTestId("relative-id-number").fill("500199000000000000");
  await page.getByTestId("relative-relation").selectOption("Child");
  await page.getByTestId("relative-submit").click();
  await expect(page.getByTestId("relative-error")).toContainText("没有登记该身份证号码");
  await page.getByTestId("relative-id-number").fill(child.id);
  await page.getByTestId("relative-submit").click();
  // The page reloads its record once the link is stored, listing the new relative.
  await expect(page.getByTestId("person-relatives")).toContainText(child.name);
  await expect(page.getByTestId("person-relatives")).toContainText("子女");

  // The people and the link reach the server.
  await syncNow(page);
  await expect(page.getByTestId("sync-pending")).toHaveText("0");

  // Back on the supervisor's phone: after a sync the person is found by identity number, and the
  // number shows masked (only district admins see it whole).
  await syncNow(supervisor);
  await supervisor.goto("/people");
  await supervisor.getByTestId("people-search").fill(person.id);
  await expect(supervisor.getByTestId("person-row")).toHaveCount(1);
  await expect(supervisor.getByTestId("person-row-name")).toHaveText(person.name);
  await expect(supervisor.getByTestId("person-row")).toContainText(person.id.slice(0, 4) + "**********" + person.id.slice(14));
  await expect(supervisor.getByTestId("person-row")).not.toContainText(person.id);
  // A supervisor keeps the unit tree but does not record residents.
  await expect(supervisor.getByTestId("person-submit")).toHaveCount(0);
  await supervisorDevice.close();
  await villageDevice.close();
});
