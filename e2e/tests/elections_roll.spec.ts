// The registers and tally of one village election, as a township supervisor does them on a phone:
// open the roll for 青石村, import a voter list with one bad row (the line is named, nothing is
// imported), fix it and import, publish the list, nominate and fix the formal candidates (a list
// with no more candidates than seats is refused with the reason), record the ballot box, enter
// the count (with a write-in, 另选他人, who wins the chair), and read the winners and a breach
// with the rule that fired. A village official
// may register but not enter counts.
import { APIRequestContext, expect, Page, test, devices } from "@playwright/test";
import { DEMO_PASSWORD, idNumber, login } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };
const X = "e2eroll1";

async function syncNow(page: Page, timeout = 60_000) {
  await page.goto("/sync");
  const button = page.getByTestId("sync-now");
  if (await button.isEnabled()) await button.click();
  await expect(page.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout });
}

/** A township supervisor whose jurisdiction is the one village, so the first sync is small. */
async function createSupervisor(request: APIRequestContext, username: string) {
  const login = await request.post("/api/v1/auth/login", { data: { username: "demo-admin", password: DEMO_PASSWORD } });
  expect(login.ok()).toBeTruthy();
  const { token } = await login.json();
  const res = await request.post("/api/v1/users", {
    headers: { Authorization: `Bearer ${token}` },
    data: { username, display_name: "青石村 包村干部", role: "township_supervisor", scope: "5099001001", password: DEMO_PASSWORD },
  });
  expect(res.status()).toBeLessThan(300);
}

function csv(rows: string[]) {
  const text = "姓名,身份证号码,类别,户号,依据\n" + rows.join("\n") + "\n";
  return { name: "voters.csv", mimeType: "text/csv", buffer: Buffer.from(text, "utf-8") };
}

// Twelve voters: odd sequence digits are men, even are women.
const voters = Array.from({ length: 12 }, (_, i) => ({
  name: `选民${String.fromCharCode(0x7532 + i)}`,
  id: idNumber("500199", `19${70 + i}0${(i % 9) + 1}15`, i === 4 ? "022" : `01${(i % 5) * 2 + 1}`),
}));
const row = (v: { name: string; id: string }, category = "1") => `${v.name},${v.id},${category},,`;

function isoDay(offsetDays: number) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test("a supervisor registers voters, fixes the formal candidates, enters the count and reads the results", async ({ browser, request }) => {
  test.setTimeout(120_000);
  await createSupervisor(request, "e2e-roll-sup");
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await login(page, "e2e-roll-sup");
  await syncNow(page);

  // Open the roll: 主任 1, 委员 2; election day in 10 days (too close for the list, see below).
  await page.goto(`/elections/${X}/voters`);
  await page.getByTestId("roll-open-unit").selectOption("5099001001");
  await page.getByTestId("roll-open-members").fill("2");
  await page.getByTestId("roll-open-e").fill(isoDay(10));
  await page.getByTestId("roll-open-submit").click();
  await expect(page.getByTestId("roll-voter-count")).toHaveAttribute("data-count", "0");

  // A file with a bad category on line 3 is refused whole.
  const bad = voters.map((v) => row(v));
  bad[1] = row(voters[1], "4");
  await page.getByTestId("roll-import-file").setInputFiles(csv(bad));
  const errors = page.getByTestId("roll-import-error-row");
  await expect(errors).toHaveCount(1);
  await expect(errors.first()).toHaveAttribute("data-line", "3");
  await expect(errors.first()).toContainText("登记类别应为1、2或3");
  await expect(page.getByTestId("roll-import-submit")).toHaveCount(0);
  await expect(page.getByTestId("roll-voter-count")).toHaveAttribute("data-count", "0");

  // Fixed, it imports all twelve.
  await page.getByTestId("roll-import-file").setInputFiles(csv(voters.map((v) => row(v))));
  await expect(page.getByTestId("roll-import-plan")).toHaveAttribute("data-voters", "12");
  await page.getByTestId("roll-import-submit").click();
  await expect(page.getByTestId("roll-voter-count")).toHaveAttribute("data-count", "12");
  await expect(page.getByTestId("roll-voter-row")).toHaveCount(12);

  // Publish the list with its count.
  await page.getByTestId("roll-publish").click();
  await expect(page.getByTestId("roll-published")).toHaveAttribute("data-count", "12");

  // Nominations: two for chair, three for the two member seats (voter 5 is a woman).
  await page.getByTestId("roll-tab-candidates").click();
  const nominate = async (post: string, who: string, votes: string) => {
    const section = page.getByTestId(`roll-post-${post}`);
    await section.getByTestId("roll-nominee").fill(who);
    await section.getByTestId("roll-nomination-votes").fill(votes);
    await section.getByTestId("roll-nominate").click();
    await expect(page.getByTestId("roll-ok")).toBeVisible();
  };
  await nominate("chair", voters[0].id, "50");
  await nominate("chair", voters[1].name, "40");
  await nominate("member", voters[2].id, "30");
  await nominate("member", voters[3].id, "20");
  await nominate("member", voters[4].id, "10");

  const chair = page.getByTestId("roll-post-chair");
  await chair.getByTestId("roll-pick").nth(0).check();
  await chair.getByTestId("roll-pick").nth(1).check();
  await chair.getByTestId("roll-fix-formal").click();
  await expect(page.getByTestId("roll-post-chair").getByTestId("roll-formal-list")).toHaveAttribute("data-count", "2");

  // Two candidates for two seats is refused, with the reason.
  let member = page.getByTestId("roll-post-member");
  await member.getByTestId("roll-pick").nth(0).check();
  await member.getByTestId("roll-pick").nth(1).check();
  await member.getByTestId("roll-fix-formal").click();
  await expect(page.getByTestId("roll-error")).toContainText("候选人数必须多于应选人数");
  await expect(member.getByTestId("roll-formal-list")).toHaveCount(0);
  await member.getByTestId("roll-pick").nth(2).check();
  await member.getByTestId("roll-fix-formal").click();
  member = page.getByTestId("roll-post-member");
  await expect(member.getByTestId("roll-formal-list")).toHaveAttribute("data-count", "3");

  // One central ballot box.
  await page.getByTestId("roll-tab-boxes").click();
  await page.getByTestId("roll-box-no").fill("1");
  await page.getByTestId("roll-box-seal").fill("青选-E2E");
  await page.getByTestId("roll-box-scrutineers").fill("甲、乙");
  await page.getByTestId("roll-box-add").click();
  await expect(page.getByTestId("roll-box-row")).toHaveCount(1);

  // The count: 10 of 12 voted.
  await page.getByTestId("roll-tab-tally").click();
  const box = page.getByTestId("roll-count-box-1");
  await box.getByTestId("roll-issued").fill("10");
  await box.getByTestId("roll-returned").fill("10");
  await box.getByTestId("roll-save-ballots").click();
  await expect(page.getByTestId("roll-ok")).toBeVisible();
  const enter = async (post: string, valid: string, votes: string[]) => {
    const section = page.getByTestId("roll-count-box-1").getByTestId(`roll-count-${post}`);
    await section.getByTestId("roll-valid").fill(valid);
    await section.getByTestId("roll-invalid").fill("0");
    for (const [i, v] of votes.entries()) await section.getByTestId(`roll-votes-${i}`).fill(v);
    await section.getByTestId("roll-save-votes").click();
    await expect(page.getByTestId("roll-ok")).toBeVisible();
  };
  // Chair: six of the ten ballots write in voter 7 (另选他人), found on the roll by name; a name
  // not on the roll finds nobody, and more votes than valid ballots is refused with the reason.
  const chairCount = page.getByTestId("roll-count-box-1").getByTestId("roll-count-chair");
  await chairCount.getByTestId("roll-add-write-in").click();
  await chairCount.getByTestId("roll-write-in-search").fill("不在名单");
  await expect(chairCount.getByTestId("roll-write-in-none")).toContainText("只能是本次登记的选民");
  await chairCount.getByTestId("roll-write-in-search").fill(voters[6].name);
  await chairCount.getByTestId("roll-write-in-pick").click();
  await expect(chairCount.getByTestId("roll-write-in")).toContainText(voters[6].name);
  await expect(chairCount.getByTestId("roll-write-in")).toContainText("另选他人");
  await chairCount.getByTestId("roll-valid").fill("10");
  await chairCount.getByTestId("roll-write-in-votes-0").fill("11");
  await chairCount.getByTestId("roll-save-votes").click();
  await expect(page.getByTestId("roll-error")).toContainText("多于有效票10张");
  await chairCount.getByTestId("roll-write-in-votes-0").fill("6");
  await enter("chair", "10", ["3", "1"]);
  await expect(chairCount.getByTestId("roll-write-in")).toHaveCount(1);
  await enter("member", "10", ["8", "4", "6"]);

  // Results: the winners with their reasons, and the late list as a PROC breach with its rule.
  await page.getByTestId("roll-tab-results").click();
  const first = page.getByTestId("roll-first");
  await expect(first).toHaveAttribute("data-state", "counted");
  await expect(page.getByTestId("roll-elected")).toHaveAttribute("data-count", "3");
  await expect(page.getByTestId("roll-elected")).toContainText(voters[6].name);
  await expect(page.getByTestId("roll-elected")).toContainText(voters[4].name);
  await expect(page.getByTestId("roll-elected")).not.toContainText(voters[0].name);
  await expect(page.getByTestId("roll-elected")).not.toContainText(voters[3].name);
  const writeIn = page.locator('[data-testid="roll-decision"][data-write-in="true"]');
  await expect(writeIn).toHaveCount(1);
  await expect(writeIn).toContainText(voters[6].name);
  await expect(writeIn.getByTestId("roll-write-in-mark")).toHaveText("另选他人");
  await expect(page.getByTestId("roll-validity")).toContainText("超过半数");
  const late = page.locator('[data-testid="roll-breach"][data-rule="V05.publish_20_days"]');
  await expect(late).toHaveAttribute("data-class", "PROC");
  await expect(late).toContainText("不足20日");

  // A corrected count with only 6 of 12 voting makes the round invalid, and says why.
  await page.getByTestId("roll-tab-tally").click();
  await page.getByTestId("roll-count-box-1").getByTestId("roll-issued").fill("6");
  await page.getByTestId("roll-count-box-1").getByTestId("roll-returned").fill("10");
  await page.getByTestId("roll-count-box-1").getByTestId("roll-save-ballots").click();
  await expect(page.getByTestId("roll-ok")).toBeVisible();
  await page.getByTestId("roll-tab-results").click();
  await expect(page.getByTestId("roll-first")).toHaveAttribute("data-state", "invalid");
  const invalid = page.locator('[data-testid="roll-breach"][data-class="INVALID_ROUND"]');
  await expect(invalid).toContainText("多于投票人数");

  // The printable voter list carries the count.
  await page.goto(`/elections/${X}/notices/voters`);
  await expect(page.getByTestId("notice-count")).toHaveText("12");

  // Everything reaches the server.
  await syncNow(page);
  await expect(page.getByTestId("sync-pending")).toHaveText("0");
  await context.close();
});

test("a village official sees the seeded demo results but may not enter counts", async ({ page }) => {
  test.setTimeout(120_000);
  await login(page, "demo-village");
  await syncNow(page, 90_000);
  await page.goto("/elections/demo5099001001/results");
  await expect(page.getByTestId("roll-elected")).toHaveAttribute("data-count", "5");
  await page.getByTestId("roll-tab-tally").click();
  await expect(page.getByTestId("roll-tally-not-permitted")).toBeVisible();
});

test("an objection to the published list is recorded, decided, and the voter taken off the list", async ({ browser, request }) => {
  test.setTimeout(120_000);
  await createSupervisor(request, "e2e-objection-sup");
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await login(page, "e2e-objection-sup");
  await syncNow(page);

  await page.goto("/elections/e2eobjection1/voters");
  await page.getByTestId("roll-open-unit").selectOption("5099001001");
  await page.getByTestId("roll-open-members").fill("2");
  await page.getByTestId("roll-open-submit").click();
  await page.getByTestId("roll-import-file").setInputFiles(csv(voters.slice(0, 4).map((v) => row(v))));
  await page.getByTestId("roll-import-submit").click();
  await expect(page.getByTestId("roll-voter-count")).toHaveAttribute("data-count", "4");
  await page.getByTestId("roll-publish").click();
  await expect(page.getByTestId("roll-published")).toHaveAttribute("data-count", "4");
  await expect(page.getByTestId("objection-none")).toBeVisible();

  // An objection without its content is refused and nothing is recorded.
  await page.getByTestId("objection-open").click();
  await page.getByTestId("objection-by").fill("村民王某");
  await page.getByTestId("objection-submit").click();
  await expect(page.getByTestId("roll-error")).toContainText("异议内容");
  await expect(page.getByTestId("objection-row")).toHaveCount(0);

  await page.getByTestId("objection-text").fill(`${voters[3].name}户籍已迁出，不应登记`);
  await page.getByTestId("objection-submit").click();
  await expect(page.getByTestId("roll-ok")).toHaveText("异议已登记。");
  const objection = page.getByTestId("objection-row");
  await expect(objection).toHaveAttribute("data-no", "1");
  await expect(objection).toHaveAttribute("data-state", "open");

  // Deciding needs an outcome; then the decision is shown in place of the form.
  await objection.getByTestId("decide-submit").click();
  await expect(page.getByTestId("roll-error")).toHaveText("请选择是否成立");
  await objection.getByTestId("decide-upheld").selectOption("yes");
  await objection.getByTestId("decide-text").fill("经核实已迁出，移出名单");
  await objection.getByTestId("decide-submit").click();
  await expect(page.getByTestId("objection-row")).toHaveAttribute("data-state", "decided");
  await expect(page.getByTestId("objection-decision")).toHaveAttribute("data-upheld", "true");

  // Someone not on the list cannot be removed; the voter named in the objection can.
  await page.getByTestId("remove-open").click();
  await page.getByTestId("remove-who").fill("不存在的人");
  await page.getByTestId("remove-reason").fill("异议成立（第1号）");
  await page.getByTestId("remove-submit").click();
  await expect(page.getByTestId("roll-error")).toContainText("选民名单中找不到此人");
  await expect(page.getByTestId("roll-voter-count")).toHaveAttribute("data-count", "4");
  await page.getByTestId("remove-who").fill(voters[3].id);
  await page.getByTestId("remove-submit").click();
  await expect(page.getByTestId("roll-voter-count")).toHaveAttribute("data-count", "3");
  await expect(page.getByTestId("removed-row")).toHaveCount(1);
  await expect(page.getByTestId("removed-row")).toContainText(voters[3].name);

  // All of it survives a reload and reaches the server.
  await page.reload();
  await expect(page.getByTestId("objection-row")).toHaveAttribute("data-state", "decided");
  await expect(page.getByTestId("removed-row")).toHaveCount(1);
  await syncNow(page);
  await expect(page.getByTestId("sync-pending")).toHaveText("0");
  await context.close();
});
