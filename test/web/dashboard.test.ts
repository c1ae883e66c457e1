/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real
 * `rampart server` child process on an embedded database, seeded through the API:
 * sign-in with password + TOTP, triage visible on the overview, deployment approval and rejection
 * while `rampart gate` waits in another process, a developer's limits in the UI and in the API,
 * screenshots of every main page at laptop and phone sizes, and axe-core on every main page.
 *
 * Needs `npm run build` (bin/rampart.js runs dist/, the dashboard is dist/web).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../helpers.js';
import {
  ADMIN_EMAIL,
  ApiClient,
  DEV_EMAIL,
  PASSWORD,
  runGate,
  seed,
  startServer,
  waitFor,
  type RunningServer,
  type Seed,
} from './server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(repoRoot, 'test', 'web', 'artifacts');
const AXE = path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js');
const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

const skip = !existsSync(CHROMIUM)
  ? `Chromium is not installed at ${CHROMIUM}`
  : !existsSync(path.join(repoRoot, 'dist', 'web', 'index.html'))
    ? 'the dashboard is not built (npm run build)'
    : !existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'))
      ? 'the CLI is not built (npm run build)'
      : false;

/** Waits until the routed page has its heading and has finished loading its data. */
async function settle(page: Page): Promise<void> {
  await page.waitForSelector('main h1');
  await page.waitForLoadState('networkidle');
  // Browser-side expressions are strings: this program is type-checked without the DOM library.
  await page.waitForFunction(
    `!/(Loading|checking)…/.test(document.querySelector('main')?.textContent ?? '')`,
  );
}

/** Waits until the element's text is `expected` (the page updates it by itself). */
async function waitForText(page: Page, selector: string, expected: string, ms = 15_000): Promise<void> {
  await waitFor(
    `${selector} to read ${expected}`,
    async () => ((await page.locator(selector).textContent())?.trim() === expected ? true : undefined),
    ms,
  ).catch(async (err: unknown) => {
    throw new Error(`${String(err)} (it reads ${await page.locator(selector).textContent()})`);
  });
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

async function signIn(page: Page, base: string, email: string, code?: () => Promise<string>): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (code) {
    await page.getByLabel('Authenticator code').fill(await code());
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }>;
}

async function axe(page: Page): Promise<AxeResult> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate<AxeResult>('axe.run(document)');
}

describe('dashboard in Chromium', { skip, timeout: 600_000 }, () => {
  let server: RunningServer;
  let data: Seed;
  let browser: Browser;
  let admin: BrowserContext;
  let adminPage: Page;

  before(async () => {
    server = await startServer();
    try {
      data = await seed(server.url);
    } catch (err) {
      throw new Error(`${String(err)}\n--- server log ---\n${server.log()}`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    admin = await browser.newContext({ viewport: LAPTOP });
    adminPage = await admin.newPage();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in with password and TOTP, and keeps no secret in the page or its storage', async () => {
    await signIn(adminPage, server.url, ADMIN_EMAIL, () => data.adminDevice.next());
    assert.match(await text(adminPage, 'header .user-id'), new RegExp(ADMIN_EMAIL));
    const storage = await adminPage.evaluate<string>(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    );
    assert.equal(storage, '{}{}');
    const cookies = await admin.cookies();
    const session = cookies.find((c) => c.name === 'rampart_session');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    assert.doesNotMatch(await adminPage.content(), new RegExp(session!.value));
  });

  it('works by keyboard: skip link, navigation, focus moved to the new page’s heading', async () => {
    await adminPage.goto(`${server.url}/`);
    await settle(adminPage);
    const active = () => adminPage.evaluate<string>('document.activeElement?.textContent?.trim() ?? ""');
    await adminPage.keyboard.press('Tab');
    assert.equal(await active(), 'Skip to content');
    await adminPage.keyboard.press('Tab'); // Overview
    await adminPage.keyboard.press('Tab'); // Projects
    assert.equal(await active(), 'Projects');
    await adminPage.keyboard.press('Enter');
    await adminPage.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
    await waitFor('focus on the heading', async () => ((await active()) === 'Projects' ? true : undefined));
    assert.equal(await adminPage.evaluate<string>('document.activeElement?.tagName'), 'H1');
    assert.equal(await adminPage.title(), 'Projects · Rampart');
  });

  it('triages a finding (dismiss) and the overview’s open count goes down', async () => {
    const before = await waitFor('the overview roll-ups', async () => {
      const o = await data.admin.ok('GET', '/api/v1/overview');
      return o.json.refreshPending ? undefined : (o.json.totals.open as number);
    });
    assert.ok(before >= 8, `seeded findings are open (${before})`);
    await adminPage.getByRole('link', { name: 'Overview' }).click();
    await waitForText(adminPage, '[data-testid="total-open"]', String(before));

    const list = await data.admin.ok('GET', `/api/v1/projects/${data.projectA.id}/findings?sort=severity`);
    const target = list.json.findings[0] as { id: string; title: string };
    await adminPage.getByRole('link', { name: 'Projects', exact: true }).click();
    await adminPage.getByRole('link', { name: data.projectA.name, exact: true }).click();
    await adminPage.waitForSelector('[data-testid="findings-table"]');
    await adminPage.click(`a[href="/findings/${target.id}"]`);
    await adminPage.getByRole('heading', { level: 2, name: 'Triage' }).waitFor();
    await adminPage.getByRole('radio', { name: 'Dismiss' }).check();
    await adminPage.getByLabel('Reason').selectOption('false-positive');
    await adminPage.getByLabel('Comment (optional)').fill('Parameterised by the ORM; not reachable.');
    await adminPage.getByRole('button', { name: 'Save' }).click();
    await waitForText(adminPage, '[data-testid="finding-state"]', 'dismissed');

    await adminPage.getByRole('link', { name: 'Overview' }).click();
    await waitForText(adminPage, '[data-testid="total-open"]', String(before - 1), 30_000);
    const detail = await data.admin.ok('GET', `/api/v1/findings/${target.id}`);
    assert.equal(detail.json.finding.state, 'dismissed');
    assert.equal(detail.json.finding.dismiss_reason, 'false-positive');
  });

  it('bulk-triages a selection: group by rule, select the group, dismiss both', async () => {
    await adminPage.goto(`${server.url}/projects/${data.projectA.id}`);
    await settle(adminPage);
    const before = await data.admin.ok('GET', `/api/v1/projects/${data.projectA.id}/findings`);
    const xss = (before.json.findings as Array<{ id: string; ruleId: string }>).filter(
      (f) => f.ruleId === 'js/reflected-xss',
    );
    assert.equal(xss.length, 2);
    await waitForText(adminPage, '[data-testid="findings-total"]', `${before.json.total} findings match.`);
    await adminPage.getByLabel('Group by').selectOption('rule');
    await adminPage.getByRole('checkbox', { name: /^js\/reflected-xss/ }).check();
    const bulk = adminPage.getByRole('region', { name: 'Triage 2 selected findings' });
    await bulk.getByRole('radio', { name: 'Dismiss' }).check();
    await bulk.getByLabel('Reason').selectOption('wont-fix');
    await bulk.getByLabel('Comment (optional)').fill('Legacy pages, removed next quarter.');
    await bulk.getByRole('button', { name: 'Apply to 2' }).click();
    await adminPage.getByText('2 findings updated.').waitFor();
    await waitForText(
      adminPage,
      '[data-testid="findings-total"]',
      `${before.json.total - 2} findings match.`,
    );
    for (const f of xss) {
      const d = await data.admin.ok('GET', `/api/v1/findings/${f.id}`);
      assert.equal(d.json.finding.state, 'dismissed');
      assert.equal(d.json.finding.dismiss_reason, 'wont-fix');
    }
  });

  it('approves a pending production deployment while `rampart gate` waits, and gate exits 0', async () => {
    const gate = runGate(server.url, data.ciToken, data.projectA.id, 'production', data.artifact.ref);
    const pending = await waitFor(
      'the pending deployment',
      async () => {
        const r = await data.admin.ok(
          'GET',
          '/api/v1/deployments?status=pending-approval&environment=production',
        );
        return (r.json.deployments as Array<{ id: string; artifact: string }>).find(
          (d) => d.artifact === data.artifact.ref,
        );
      },
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- gate output ---\n${gate.output()}`);
    });
    await adminPage.getByRole('link', { name: 'Deployments' }).click();
    const card = adminPage.getByTestId('pending-deployment').filter({ hasText: data.artifact.ref });
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /passed/);
    await card.getByLabel('Comment').fill('Release 2.4.0, change ticket CHG-1042.');
    await card.getByRole('button', { name: 'Approve' }).click();
    const code = await gate.exit;
    assert.equal(code, 0, `gate exit code\n--- gate output ---\n${gate.output()}`);
    const d = await data.admin.ok('GET', `/api/v1/deployments/${pending.id}`);
    assert.equal(d.json.status, 'approved');
    assert.equal(d.json.approvals.decisions[0].by, `user:${ADMIN_EMAIL}`);
  });

  it('a developer sees only their project and cannot approve, in the UI and in the API behind it; a rejection makes gate exit non-zero', async () => {
    const gate = runGate(server.url, data.ciToken, data.projectA.id, 'production', data.artifact.ref);
    const pending = await waitFor(
      'the second pending deployment',
      async () => {
        const r = await data.admin.ok(
          'GET',
          '/api/v1/deployments?status=pending-approval&environment=production',
        );
        return (r.json.deployments as Array<{ id: string }>)[0];
      },
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- gate output ---\n${gate.output()}`);
    });

    const dev = await browser.newContext({ viewport: PHONE });
    try {
      const page = await dev.newPage();
      await signIn(page, server.url, DEV_EMAIL);
      // Phone width: the navigation sits behind the menu button.
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('link', { name: 'Projects', exact: true }).click();
      await settle(page);
      const projects = await text(page, '[data-testid="projects-table"]');
      assert.match(projects, new RegExp(data.projectA.name));
      assert.doesNotMatch(projects, new RegExp(data.projectB.name));
      await page.goto(`${server.url}/projects/${data.projectB.id}`);
      await settle(page);
      assert.match(await text(page, 'main [role="alert"]'), /project not found/);

      await page.goto(`${server.url}/deployments`);
      await settle(page);
      const card = page.getByTestId('pending-deployment');
      await card.waitFor();
      assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Reject' }).count(), 0);
      assert.match((await card.textContent()) ?? '', /cannot approve/);

      // The same session, through the API the page uses: refused.
      const answers = await page.evaluate(
        async ({ id, projectB }) => {
          const csrf = ((await (await fetch('/api/v1/auth/csrf')).json()) as { csrfToken: string }).csrfToken;
          const decide = await fetch(`/api/v1/deployments/${id}/decision`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
            body: JSON.stringify({ decision: 'approve', comment: 'looks fine to me' }),
          });
          const other = await fetch(`/api/v1/projects/${projectB}/findings`);
          return { decide: decide.status, other: other.status };
        },
        { id: pending.id, projectB: data.projectB.id },
      );
      assert.equal(answers.decide, 403);
      assert.equal(answers.other, 404);
    } finally {
      await dev.close();
    }

    await adminPage.getByRole('link', { name: 'Deployments' }).click();
    await adminPage.getByRole('button', { name: 'Refresh' }).click();
    const card = adminPage.getByTestId('pending-deployment').filter({ hasText: data.artifact.ref });
    await card.waitFor();
    await card.getByLabel('Comment').fill('Open high findings need a fix first.');
    await card.getByRole('button', { name: 'Reject' }).click();
    const code = await gate.exit;
    assert.notEqual(code, 0, `gate exit code\n--- gate output ---\n${gate.output()}`);
    assert.equal(code, 1, gate.output());
    const d = await data.admin.ok('GET', `/api/v1/deployments/${pending.id}`);
    assert.equal(d.json.status, 'rejected');
  });

  it('creates an API token shown once in a dialog, never kept in the page, then revokes it', async () => {
    await adminPage.goto(`${server.url}/settings`);
    await settle(adminPage);
    await adminPage.getByText('New token').click();
    await adminPage.getByLabel('Name').fill('dashboard-test');
    await adminPage.getByRole('button', { name: 'Create token' }).click();
    const dialog = adminPage.getByRole('dialog', { name: 'Your new API token' });
    await dialog.waitFor();
    const token = await dialog.getByLabel('Token').inputValue();
    assert.match(token, /^rpt_/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.ok(!(await adminPage.content()).includes(token), 'the token is gone from the page once closed');
    const storage = await adminPage.evaluate<string>(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    );
    assert.ok(!storage.includes(token));
    const probe = new ApiClient(server.url);
    probe.bearer = token;
    assert.equal((await probe.call('GET', '/api/v1/projects')).status, 200);
    await adminPage.getByRole('button', { name: 'Revoke token dashboard-test' }).click();
    await adminPage.getByText('Token dashboard-test revoked.').waitFor();
    assert.equal((await probe.call('GET', '/api/v1/projects')).status, 401);
  });

  it('an admin adds the developer to a second project through the UI, the developer then sees it; removing takes it away', async () => {
    const devProjects = async () => {
      const dev = await browser.newContext({ viewport: PHONE });
      try {
        const page = await dev.newPage();
        await signIn(page, server.url, DEV_EMAIL);
        await page.goto(`${server.url}/projects`);
        await settle(page);
        return {
          list: await text(page, '[data-testid="projects-table"]'),
          other: await page.evaluate<number, string>(
            async (id) => (await fetch(`/api/v1/projects/${id}/findings`)).status,
            data.projectB.id,
          ),
        };
      } finally {
        await dev.close();
      }
    };
    const before = await devProjects();
    assert.doesNotMatch(before.list, new RegExp(data.projectB.name));
    assert.equal(before.other, 404);

    await adminPage.goto(`${server.url}/projects/${data.projectB.id}`);
    await settle(adminPage);
    const members = adminPage.getByTestId('project-members');
    await members.getByText('Members (0)').click();
    await members.getByLabel('User to add').selectOption({ label: `${DEV_EMAIL} (developer)` });
    await members.getByRole('button', { name: 'Add member' }).click();
    await adminPage.getByText(`${DEV_EMAIL} added to ${data.projectB.name}.`).waitFor();
    await members.getByText('Members (1)').waitFor();

    const added = await devProjects();
    assert.match(added.list, new RegExp(data.projectB.name));
    assert.match(added.list, new RegExp(data.projectA.name));
    assert.equal(added.other, 200);

    await members.getByRole('button', { name: `Remove ${DEV_EMAIL} from ${data.projectB.name}` }).click();
    await adminPage.getByText(`${DEV_EMAIL} removed from ${data.projectB.name}.`).waitFor();
    await members.getByText('Members (0)').waitFor();
    const removed = await devProjects();
    assert.doesNotMatch(removed.list, new RegExp(data.projectB.name));
    assert.equal(removed.other, 404);
  });

  it('adds a webhook whose signing secret is shown once (and signs deliveries), then deletes it', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/rampart`;
      await adminPage.goto(`${server.url}/settings`);
      await settle(adminPage);
      await adminPage.getByText('Add a webhook').click();
      await adminPage.getByLabel('Payload URL').fill(hookUrl);
      await adminPage.getByRole('checkbox', { name: 'finding.new' }).uncheck();
      await adminPage.getByRole('checkbox', { name: 'deployment.decided' }).check();
      await adminPage.getByRole('button', { name: 'Add webhook' }).click();
      const dialog = adminPage.getByRole('dialog', { name: 'Webhook signing secret' });
      await dialog.waitFor();
      const secret = await dialog.getByLabel('Signing secret').inputValue();
      assert.match(secret, /^[A-Za-z0-9_-]{32,}$/);
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.ok(
        !(await adminPage.content()).includes(secret),
        'the secret is gone from the page once closed',
      );
      const table = adminPage.getByTestId('webhooks-table');
      await table.getByText(hookUrl).waitFor();
      assert.match((await table.textContent()) ?? '', /deployment\.decided/);
      const listed = await data.admin.ok('GET', '/api/v1/webhooks');
      assert.deepEqual(
        (listed.json.webhooks as Array<{ url: string; events: string[] }>).map((w) => [w.url, w.events]),
        [[hookUrl, ['deployment.decided']]],
      );
      assert.ok(!JSON.stringify(listed.json).includes(secret), 'the API never gives the secret back');

      // The secret the dialog showed is the one deliveries are signed with.
      const requested = await data.developer.ok('POST', `/api/v1/projects/${data.projectA.id}/deployments`, {
        environment: 'staging',
        artifact: data.artifact.ref,
      });
      assert.equal(requested.json.status, 'pending-approval', requested.text);
      await data.admin.ok('POST', `/api/v1/deployments/${requested.json.id}/decision`, {
        decision: 'reject',
        comment: 'webhook check',
      });
      const delivery = await waitFor('the signed webhook delivery', async () => received[0], 60_000);
      const expected = createHmac('sha256', secret)
        .update(`${delivery.headers['x-rampart-timestamp']}.${delivery.body}`)
        .digest('hex');
      assert.equal(delivery.headers['x-rampart-signature'], `sha256=${expected}`);
      assert.equal(JSON.parse(delivery.body).deployment.id, requested.json.id);

      await adminPage.getByRole('button', { name: `Delete webhook ${hookUrl}` }).click();
      await adminPage.getByText(`Webhook ${hookUrl} deleted.`).waitFor();
      await adminPage.getByText('No webhook is configured.').waitFor();
      assert.deepEqual((await data.admin.ok('GET', '/api/v1/webhooks')).json.webhooks, []);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it('every main page: screenshots at laptop and phone sizes, and no serious or critical axe violation', async (t) => {
    // Something waiting for approval, so the deployments page shows its gate results.
    const pending = await data.developer.call('POST', `/api/v1/projects/${data.projectA.id}/deployments`, {
      environment: 'staging',
      artifact: data.artifact.ref,
    });
    assert.equal(pending.status, 201, pending.text);
    const findings = await data.admin.ok(
      'GET',
      `/api/v1/projects/${data.projectA.id}/findings?sort=severity`,
    );
    const findingId = (findings.json.findings[0] as { id: string }).id;
    const pages: Array<[string, string]> = [
      ['overview', '/'],
      ['projects', '/projects'],
      ['findings', `/projects/${data.projectA.id}`],
      ['finding', `/findings/${findingId}`],
      ['artifacts', `/artifacts/${data.projectA.id}/${data.artifact.id}`],
      ['deployments', '/deployments'],
      ['audit', '/audit'],
      ['settings', '/settings'],
    ];
    const counts: string[] = [];
    const problems: string[] = [];
    // Screenshots come from the signed-in admin page under the server's real CSP (any violation is
    // reported); axe runs in a twin context that lets its script tag in (bypassCSP), same session.
    const cspErrors: string[] = [];
    adminPage.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    adminPage.on('pageerror', (e) => cspErrors.push(`page error: ${e.message}`));
    const axeContext = await browser.newContext({ bypassCSP: true });
    await axeContext.addCookies(await admin.cookies());
    const axePage = await axeContext.newPage();
    const check = async (page: Page, name: string, size: string, axeOn: Page) => {
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${size}.png`), fullPage: true });
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      if (overflow > 0) problems.push(`${name}@${size}: the page is ${overflow}px wider than the screen`);
      const result = await axe(axeOn);
      const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      counts.push(
        `${name}@${size}: ${result.violations.length} violations, ${serious.length} serious/critical` +
          (result.violations.length
            ? ` (${result.violations.map((v) => `${v.id}:${v.impact}`).join(', ')})`
            : ''),
      );
      for (const v of serious)
        problems.push(
          `${name}@${size}: ${v.id} (${v.impact}) ${v.help} — ${JSON.stringify(v.nodes.map((n) => n.target))}`,
        );
    };
    try {
      for (const [size, viewport] of [
        ['laptop', LAPTOP],
        ['phone', PHONE],
      ] as const) {
        await adminPage.setViewportSize(viewport);
        await axePage.setViewportSize(viewport);
        for (const [name, url] of pages) {
          for (const page of [adminPage, axePage]) {
            await page.goto(`${server.url}${url}`);
            await settle(page);
          }
          await check(adminPage, name, size, axePage);
        }
        const anon = await browser.newContext({ viewport });
        const anonAxe = await browser.newContext({ viewport, bypassCSP: true });
        try {
          const login = await anon.newPage();
          const loginAxe = await anonAxe.newPage();
          for (const page of [login, loginAxe]) {
            await page.goto(`${server.url}/`);
            await page.getByLabel('E-mail').waitFor();
          }
          await check(login, 'login', size, loginAxe);
        } finally {
          await anon.close();
          await anonAxe.close();
        }
      }
    } finally {
      await axeContext.close();
    }
    for (const line of counts) t.diagnostic(line);
    assert.deepEqual(problems, []);
    assert.deepEqual(cspErrors, []);
    // The deployments page showed the staging request with its gate results.
    await adminPage.goto(`${server.url}/deployments`);
    await settle(adminPage);
    assert.match(await text(adminPage, 'main'), /staging/);
  });
});
