#!/usr/bin/env bash
# Renders the html reports in headless Chromium and checks that their charts show the numbers of the
# csv (issue 8). Not part of `npm test`: CI machines have no browser. Needs a build (npm run build)
# and Chromium (apt-get install -y chromium; CHROMIUM=/path overrides /usr/bin/chromium).
#
#   scripts/report-html-check.sh [out-dir]
#
# The check itself is the JavaScript below (a shell file so the type-aware lint of the TypeScript
# project does not try to parse it).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --input-type=module - "$@" <<'JS'
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const dist = (path) => pathToFileURL(join(root, 'dist', path)).href;
const { startLocalPortal } = await import(dist('src/emulator/start-local-portal.js'));
const { seedRecords } = await import(dist('src/emulator/crm/records.js'));
const { createClient } = await import(dist('src/rest/client.js'));
const { createReport } = await import(dist('src/reports/create-report.js'));
const { renderReport } = await import(dist('src/ui/report-render.js'));
const { parse } = await import('csv-parse/sync');

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  process.stderr.write(`No Chromium at ${chromium}: apt-get install -y chromium, or set CHROMIUM.\n`);
  process.exit(2);
}
const out = resolve(process.argv[2] ?? join(root, 'b24lab-demo', 'report-html-check'));
mkdirSync(out, { recursive: true });

const lp = await startLocalPortal({ port: 0 });
let failures = 0;
try {
  const client = createClient({ connection: { kind: 'webhook', url: lp.webhookUrl }, rateLimit: 'off' });
  const people = [
    ['Иванов', 'Иван'],
    ['Петрова', 'Мария'],
    ['Сидоров', 'Пётр'],
  ];
  const ids = [];
  for (const [last, name] of people) {
    ids.push(
      Number(
        await client.call('user.add', {
          NAME: name,
          LAST_NAME: last,
          EMAIL: `${last}@lab.local`,
          UF_DEPARTMENT: [1],
        }),
      ),
    );
  }
  const now = lp.portal.now();
  const day = 86_400_000;
  const stages = ['NEW', 'PREPARATION', 'EXECUTING', 'WON', 'WON', 'LOSE'];
  seedRecords(
    lp.portal,
    2,
    Array.from({ length: 60 }, (_, i) => ({
      title: `Сделка ${i + 1}`,
      assignedById: ids[i % 3],
      opportunity: 10_000 * ((i % 7) + 1),
      stageId: stages[i % stages.length],
      createdTime: now - ((i % 20) + 1) * day,
      movedTime: now - (i % 20) * day - day / 2,
    })),
  );
  const from = new Date(now - 30 * day).toISOString().slice(0, 10);
  for (const name of ['managers', 'funnel']) {
    const made = await createReport(client, { name, from });
    const html = renderReport(made.report, { format: 'html', ...made });
    const csv = renderReport(made.report, { format: 'csv' });
    const htmlFile = join(out, `${name}.html`);
    writeFileSync(htmlFile, html);
    writeFileSync(join(out, `${name}.csv`), csv);
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--proxy-server=127.0.0.1:9',
      '--window-size=1280,1600',
    ];
    execFileSync(
      chromium,
      [...flags, `--screenshot=${join(out, `${name}.png`)}`, pathToFileURL(htmlFile).href],
      {
        stdio: 'ignore',
      },
    );
    const dom = execFileSync(chromium, [...flags, '--dump-dom', pathToFileURL(htmlFile).href], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // The first chart against its csv column: won amount per manager; deals reaching each stage.
    const [column, chart] =
      name === 'managers' ? ['Won amount', 'won-amount'] : ['Reached', 'funnel-reached'];
    const records = parse(csv, { relax_column_count: true });
    const end = records.findIndex((r) => r.length === 1 && r[0] === '');
    const table = records.slice(1, end === -1 ? undefined : end);
    const index = records[0].indexOf(column);
    const expected = table.filter((r) => r[0] !== 'Total' && r[index] !== '').map((r) => Number(r[index]));
    const section = dom.slice(
      dom.indexOf(`id="chart-${chart}"`),
      dom.indexOf('</svg>', dom.indexOf(`id="chart-${chart}"`)),
    );
    const shown = [...section.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));
    const bars = (section.match(/<rect /g) ?? []).length;
    const ok = JSON.stringify(shown) === JSON.stringify(expected) && bars === expected.length && bars > 0;
    if (!ok) failures++;
    process.stdout.write(
      `${ok ? 'ok  ' : 'FAIL'} ${name}: ${bars} bars, chart ${JSON.stringify(shown)} vs csv ${JSON.stringify(expected)}; screenshot ${join(out, `${name}.png`)}\n`,
    );
  }
  client.close();
} finally {
  await lp.close();
}
process.exitCode = failures === 0 ? 0 : 1;
JS
