// Opens pages of a static site in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core: no browser is downloaded) and reports, per page and viewport, what a person
// would meet: console errors, failed or external requests, sideways scrolling, where the first
// Tab goes, and axe-core's accessibility violations. Prints one JSON object; tests/test_publish.py
// decides what passes.
//
//   node check.mjs SITE_DIR PAGE… [--http [PAGE,…]] [--widths 360,1280] [--axe 360,1280] [--shot PAGE=FILE@WIDTH[xHEIGHT]]…
//
// --http serves SITE_DIR from 127.0.0.1 (a port the system picks) and opens the pages there
// too (those listed after it, else all), at the widest width, as a web server would; without
// it only file:// URLs are opened.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const AXE = require.resolve("axe-core/axe.min.js");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// As the machine's notes say: without the background-networking flags Chromium tries to reach
// Google's hosts at start, which a closed network refuses (and which would be external requests).
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions"];
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".csv": "text/csv; charset=utf-8",
                ".json": "application/json; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml" };

function parse(argv) {
  const options = { site: path.resolve(argv[0]), pages: [], http: false, widths: [360, 1280], axe: [360, 1280], shots: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--http") {
      options.http = true;
      if (argv[i + 1] && !argv[i + 1].startsWith("--") && argv[i + 1].includes(",")) options.httpPages = argv[++i].split(",");
    }
    else if (a === "--widths") options.widths = argv[++i].split(",").map(Number);
    else if (a === "--axe") options.axe = argv[++i] ? argv[i].split(",").filter(Boolean).map(Number) : [];
    else if (a === "--shot") {
      const [page, rest] = argv[++i].split("=");
      const [file, size] = rest.split("@");
      const [width, height] = (size || "1280").split("x").map(Number);
      options.shots.push({ page, file: path.resolve(file), width, height });
    } else options.pages.push(a);
  }
  return options;
}

function serve(root) {
  const server = createServer(async (req, res) => {
    const wanted = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path.join(root, wanted.endsWith("/") ? wanted + "index.html" : wanted);
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    try {
      if (!(await stat(file)).isFile()) throw new Error("not a file");
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(await readFile(file));
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function opened(context, base, width) {
  // one tab per origin and width, reused page after page (a new tab costs more than the page)
  const tab = await context.newPage();
  await tab.setViewportSize({ width, height: 800 });
  const found = { console: [], failed: [], external: [], status: [] };
  tab.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") found.console.push(`${m.type()}: ${m.text()}`); });
  tab.on("pageerror", (e) => found.console.push(`pageerror: ${e.message}`));
  tab.on("requestfailed", (r) => found.failed.push(`${r.url()} ${r.failure()?.errorText || ""}`));
  tab.on("response", (r) => { if (r.status() >= 400) found.status.push(`${r.status()} ${r.url()}`); });
  const outside = (url) => !url.startsWith(base) && !url.startsWith("data:") && url !== "about:blank";
  if (base.startsWith("http")) {
    // served: anything not from this server is stopped before it leaves (and reported)
    await tab.route("**/*", (route) => {
      const url = route.request().url();
      if (!outside(url)) return route.continue();
      found.external.push(url);
      return route.abort();
    });
  } else {
    // from disk (Playwright cannot route file:// requests): every request is seen, and the machine's closed network stops the rest
    tab.on("request", (r) => { if (outside(r.url())) found.external.push(r.url()); });
  }
  return { tab, found };
}

async function visit({ tab, found }, base, page, width, withAxe) {
  for (const key of Object.keys(found)) found[key] = [];
  const url = new URL(page, base).href;
  await tab.goto(url, { waitUntil: "load" });
  const layout = await tab.evaluate(() => {
    const doc = document.documentElement;
    // what sticks out to the right of the viewport, outside a region that scrolls by itself
    const out = [];
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.right > window.innerWidth + 0.5 && !el.closest(".scroll") && !el.closest(".visually-hidden")) {
        out.push(`${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className : ""} right=${Math.round(box.right)}`);
      }
    }
    return { scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, sticking: out.slice(0, 10),
             scripts: document.scripts.length, title: document.title, h1: document.querySelectorAll("h1").length };
  });
  // printed (at a width a sheet of A4 can have, 700 px and more): no navigation, nothing wider than the page
  let printed = null;
  if (width >= 700) {
    await tab.emulateMedia({ media: "print" });
    printed = await tab.evaluate(() => ({ nav: getComputedStyle(document.querySelector("nav") || document.body).display,
                                          scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    await tab.emulateMedia({ media: "screen" });
  }
  await tab.keyboard.press("Tab");
  const firstTab = await tab.evaluate(() => ({ text: document.activeElement?.textContent?.trim() || "", cls: document.activeElement?.className || "" }));
  let axe = null;
  if (withAxe) {
    await tab.addScriptTag({ path: AXE });
    // preload: false, or axe fetches each style sheet with XMLHttpRequest, which file:// forbids
    const result = await tab.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"], preload: false }));
    axe = result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  }
  return { url, width, ...JSON.parse(JSON.stringify(found)), layout, printed, firstTab, axe };
}

async function main() {
  const options = parse(process.argv.slice(2));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const report = { chromium: browser.version(), visits: [], shots: [] };
  let server = null;
  try {
    const bases = [pathToFileURL(options.site + path.sep).href];
    if (options.http) {
      server = await serve(options.site);
      bases.push(`http://127.0.0.1:${server.address().port}/`);
    }
    const context = await browser.newContext();
    for (const base of bases) {
      const widths = base.startsWith("http") ? [options.widths[options.widths.length - 1]] : options.widths;
      for (const width of widths) {
        const tab = await opened(context, base, width);
        for (const page of base.startsWith("http") && options.httpPages ? options.httpPages : options.pages) {
          report.visits.push(await visit(tab, base, page, width, base.startsWith("file") && options.axe.includes(width)));
        }
        await tab.tab.close();
      }
    }
    for (const shot of options.shots) {
      const tab = await context.newPage();
      await tab.setViewportSize({ width: shot.width, height: shot.height || 900 });
      await tab.goto(new URL(shot.page, bases[0]).href, { waitUntil: "load" });
      await tab.screenshot({ path: shot.file, fullPage: !shot.height });  // WIDTHxHEIGHT: the top of the page only
      await tab.close();
      report.shots.push(shot.file);
    }
    await context.close();
  } finally {
    await browser.close();
    if (server) server.close();
  }
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => { process.stderr.write(String(error && error.stack || error) + "\n"); process.exit(2); });
