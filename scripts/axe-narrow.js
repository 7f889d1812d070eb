// Admin pages at 390 px and 1280 px: no sideways scroll of the page, and axe-core clean.
// Not part of CI (it needs Chromium and two npm packages); run it by hand after a CSS change:
//   apt-get install -y chromium
//   (cd /tmp/axe && npm install puppeteer-core@22 axe-core@4)
//   NODE_PATH=/tmp/axe/node_modules node scripts/axe-narrow.js http://127.0.0.1:5000 LOGIN \
//       PASSWORD /beheer/accounts /beheer/uitnodigingen /beheer/audit
// Prints one line per page and width; exits 1 when any page scrolls sideways or axe objects.
const puppeteer = require('puppeteer-core');
const axe = require('axe-core');
const base = process.argv[2], login = process.argv[3], password = process.argv[4];
const pages = process.argv.slice(5);
(async () => {
  const browser = await puppeteer.launch({executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new']});
  const page = await browser.newPage();
  await page.setBypassCSP(true);
  await page.goto(base + '/inloggen');
  await page.type('#login', login); await page.type('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form.form button[type=submit]')]);
  let failed = 0;
  for (const width of [390, 1280]) {
    await page.setViewport({width, height: 900});
    for (const path of pages) {
      await page.goto(base + path);
      const sideways = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      await page.evaluate(axe.source);
      const result = await page.evaluate(async () => (await axe.run()).violations.map(
        v => v.id + ' (' + v.nodes.length + ')'));
      const ok = sideways <= 0 && result.length === 0;
      if (!ok) failed++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${width}px ${path} sideways=${sideways}px axe=[${result.join(', ')}]`);
    }
  }
  await browser.close();
  process.exit(failed ? 1 : 0);
})();
