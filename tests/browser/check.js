#!/usr/bin/env node
// check.js — open each HTML page in headless Chromium (Debian's, through
// puppeteer-core) and report what a browser sees, as JSON on stdout:
//
//   node tests/browser/check.js OUTDIR PAGE.html...
//
// For each page: axe-core's violations for WCAG 2.2 AA (the rules tagged
// wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa); at 320 px (the narrowest
// WCAG reflow asks for), 375 px and 1280 px wide, the page's scroll width
// against the window's; at 375 and 1280 px a full-page screenshot written
// to OUTDIR/NAME-WIDTH.png and how many distinct colours it has (a blank
// page has one); and the words of the page in reading order,
// leaving out what the PDF has no words for or draws as furniture: charts
// (figure.chart: the PDF's are figures, compared apart), elements marked
// data-furniture or aria-hidden.
//
// Exit status: 0 when every page was checked (the caller judges the
// results), 2 when Chromium cannot start (the caller skips, saying why),
// 1 on any other failure.
'use strict';
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const AXE = require.resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const WIDTHS = [320, 375, 1280];
const SHOT_WIDTHS = new Set([375, 1280]);   // 320 is checked for reflow only

// Runs in the page: its words, blocks apart, inline elements joined.
function pageWords() {
  const INLINE = new Set(['A', 'STRONG', 'EM', 'DEL', 'S', 'CODE', 'SPAN',
                          'B', 'I', 'SUB', 'SUP', 'IMG', 'INPUT']);
  const SKIP = '[data-furniture],figure.chart,style,script,[aria-hidden="true"]';
  const out = [];
  (function walk(n) {
    if (n.nodeType === Node.TEXT_NODE) { out.push(n.data); return; }
    if (n.nodeType !== Node.ELEMENT_NODE || n.matches(SKIP)) return;
    const block = !INLINE.has(n.tagName);
    if (block) out.push(' ');
    for (const c of n.childNodes) walk(c);
    if (block) out.push(' ');
  })(document.body);
  return out.join('').split(/\s+/).filter(Boolean);
}

// Runs in the page: the number of distinct colours of a PNG (data URL),
// counted up to 64.
async function colours(dataUrl) {
  const img = new Image();
  img.src = dataUrl;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width;
  c.height = img.height;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  const px = g.getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < px.length && seen.size < 64; i += 4 * 7)
    seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
  return seen.size;
}

// A shared machine can be slow: generous limits, so a busy CI run is not a
// failure (a page that never loads still is, after these).
const TIMEOUT_MS = 180000;

async function checkPage(browser, probe, file, outdir) {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.setDefaultNavigationTimeout(TIMEOUT_MS);
  const url = 'file://' + path.resolve(file);
  const name = path.basename(file, path.extname(file));
  const result = {file, widths: {}};
  // loaded once; each width is the same page reflowed
  await page.setViewport({width: WIDTHS[0], height: 900});
  await page.goto(url, {waitUntil: 'load'});
  for (const width of WIDTHS) {
    await page.setViewport({width, height: 900});
    const scroll = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    result.widths[width] = scroll;
    if (!SHOT_WIDTHS.has(width)) continue;
    const shot = path.join(outdir, `${name}-${width}.png`);
    const png = await page.screenshot({path: shot, fullPage: true});
    const b64 = Buffer.from(png).toString('base64');
    // counted in a blank page of our own: nothing of the paper's can
    // touch the count
    const n = await probe.evaluate(colours, 'data:image/png;base64,' + b64);
    result.widths[width] = {...scroll, screenshot: shot, colours: n};
  }
  await page.addScriptTag({path: AXE});
  result.violations = await page.evaluate(async (tags) => {
    const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((x) => x.target.join(' ')),
    }));
  }, TAGS);
  result.words = await page.evaluate(pageWords);
  await page.close();
  return result;
}

async function main() {
  const [outdir, ...files] = process.argv.slice(2);
  if (!outdir || !files.length) {
    console.error('usage: check.js OUTDIR PAGE.html...');
    process.exit(1);
  }
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: TIMEOUT_MS,
      protocolTimeout: TIMEOUT_MS,
      // root (CI) cannot use Chromium's sandbox; the pages are our own
      args: ['--no-sandbox', '--disable-gpu', '--hide-scrollbars',
             '--disable-dev-shm-usage',
             '--font-render-hinting=none', '--allow-file-access-from-files'],
    });
  } catch (e) {
    console.error('cannot start Chromium (' + CHROMIUM + '): ' + e.message);
    process.exit(2);
  }
  try {
    const probe = await browser.newPage();
    probe.setDefaultTimeout(TIMEOUT_MS);
    const results = [];
    for (const f of files)
      results.push(await checkPage(browser, probe, f, outdir));
    process.stdout.write(JSON.stringify(results, null, 1) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
