// Headless Chromium for tests/browser.rs, through playwright-core.
//
//   node chromium.mjs axe PAGE...     prints {"PAGE": [violations...], ...} as JSON
//   node chromium.mjs pdf PAGE OUT    prints PAGE to the PDF file OUT
//   node chromium.mjs shot PAGE OUT   saves a PNG of PAGE's first screen to OUT
//
// PAGE is a path to an HTML file. The browser is the system's Chromium
// (TONGBAO_CHROMIUM, default /usr/bin/chromium), started with a fresh
// profile and without any network access of its own.

import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = require("axe-core").source;

/** The WCAG 2.0 and 2.1 rules at levels A and AA. */
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

async function withBrowser(work) {
  const profile = mkdtempSync(join(tmpdir(), "tongbao-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.TONGBAO_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
    locale: "zh-CN",
  });
  try {
    return await work(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function open(context, path) {
  const page = await context.newPage();
  await page.goto(pathToFileURL(resolve(path)).href, { waitUntil: "load" });
  await page.evaluate(() => document.fonts.ready);
  return page;
}

async function axe(paths) {
  return withBrowser(async (context) => {
    const results = {};
    for (const path of paths) {
      const page = await open(context, path);
      await page.addScriptTag({ content: axeSource });
      const found = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
        WCAG_AA,
      );
      results[path] = found.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => node.target.join(" ")),
      }));
      await page.close();
    }
    return results;
  });
}

async function pdf(path, out) {
  await withBrowser(async (context) => {
    const page = await open(context, path);
    await page.pdf({ path: out, preferCSSPageSize: true, printBackground: true });
    await page.close();
  });
}

async function shot(path, out) {
  await withBrowser(async (context) => {
    const page = await open(context, path);
    await page.screenshot({ path: out });
    await page.close();
  });
}

const [command, ...rest] = process.argv.slice(2);
if (command === "axe" && rest.length > 0) {
  console.log(JSON.stringify(await axe(rest), null, 2));
} else if (command === "pdf" && rest.length === 2) {
  await pdf(rest[0], rest[1]);
} else if (command === "shot" && rest.length === 2) {
  await shot(rest[0], rest[1]);
} else {
  console.error("usage: node chromium.mjs axe PAGE... | pdf PAGE OUT | shot PAGE OUT");
  process.exit(2);
}
