#!/usr/bin/env python3
"""Drive the console in Debian's headless chromium (chromium-driver, python3-selenium):
log in, see the fleet, start and pause a rollout, revoke a device. Screenshots
of each step go to SHOTS. Prints one "ok ..." line per step; exits 1 at the
first step that does not show what it should.
    console_browser.py URL ADMIN PASSWORD DEVICES ROLLOUT DEVICE SHOTS"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

url, admin, password, devices, rollout, device, shots = sys.argv[1:8]
os.makedirs(shots, exist_ok=True)
opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
          "--user-data-dir=" + os.path.join(shots, ".profile")):
    opts.add_argument(a)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.set_page_load_timeout(30)
# A form's POST answers with a redirect and a new page: while a condition
# reads the page, an element found on the old one may go stale, or chromedriver
# may answer with a generic WebDriverException instead (one suite run under
# load ended with one between "Start" and its screenshot), so polling goes on
# until the 20 s bound.
wait = WebDriverWait(driver, 20, ignored_exceptions=(WebDriverException,))


def step(name, shot, cond):
    driver.save_screenshot(os.path.join(shots, shot))
    if not cond:
        print("FAIL: " + name + " (see " + os.path.join(shots, shot) + ")")
        sys.exit(1)
    print("ok - browser: " + name + " (" + shot + ")")


def cell(row_id, cls):
    return driver.find_element(By.CSS_SELECTOR, "tr#" + row_id + " td." + cls).text


def row_when(row_id, state):
    """The rollout row's cells once its state is STATE, all read in one poll
    of the wait, so that a page replaced meanwhile is read again."""
    def read(d):
        v = {c: cell(row_id, c) for c in ("state", "percent", "reached", "group-size")}
        return v if v["state"] == state else False
    return wait.until(read)


try:
    driver.get(url + "/")  # no session: the console sends the browser to the login page
    wait.until(EC.presence_of_element_located((By.ID, "login")))
    step("without a session the login page is shown", "01-login.png", driver.current_url.endswith("/login"))
    driver.find_element(By.ID, "name").send_keys(admin)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "submit").click()
    wait.until(EC.presence_of_element_located((By.ID, "fleet")))
    rows = driver.find_elements(By.CSS_SELECTOR, "table#fleet tr.device")
    step("logged in, the fleet shows %d devices" % len(rows), "02-fleet.png", len(rows) == int(devices))
    cookie = driver.get_cookie("bh_session")
    step("the session cookie is HttpOnly and SameSite=Strict", "02-fleet.png",
         cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict")

    driver.get(url + "/rollouts")
    row = "rollout-" + rollout
    form = driver.find_element(By.CSS_SELECTOR, "tr#" + row + " form.start")
    pct = form.find_element(By.NAME, "percent")
    pct.clear()
    pct.send_keys("50")
    form.find_element(By.TAG_NAME, "button").click()
    v = row_when(row, "running")
    step("rollout %s started at 50%%: state %s, %s of %s devices reached" % (rollout, v["state"],
         v["reached"], v["group-size"]), "03-rollout-started.png",
         v["percent"] == "50" and int(v["reached"]) * 2 >= int(v["group-size"]) > 0)
    driver.find_element(By.CSS_SELECTOR, "tr#" + row + " form.pause button").click()
    v = row_when(row, "paused")
    step("rollout %s paused" % rollout, "04-rollout-paused.png", v["state"] == "paused")

    driver.get(url + "/device?id=" + device)
    driver.find_element(By.ID, "revoke-button").click()
    wait.until(EC.presence_of_element_located((By.ID, "fleet")))
    driver.get(url + "/device?id=" + device)
    step("device %s revoked: its page says %s" % (device, driver.find_element(By.ID, "health").text),
         "05-device-revoked.png", driver.find_element(By.ID, "health").text == "revoked")
    driver.get(url + "/audit")
    actions = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "table#audit td.action")]
    step("the audit log shows the browser's actions", "06-audit.png",
         actions[:4] == ["revoke device", "pause rollout", "start rollout", "login"])
except Exception as e:  # a step that never showed up: keep what the browser shows
    driver.save_screenshot(os.path.join(shots, "failed.png"))
    # the driver's own message first (its first line says what failed),
    # then what the page held
    msg = " | ".join(str(getattr(e, "msg", None) or e).strip().splitlines()[:3])
    print("FAIL: %s: %s at %s: %s" % (type(e).__name__, msg, driver.current_url, driver.page_source[:600]))
    sys.exit(1)
finally:
    driver.quit()
