"""JupyterLab in headless Chromium (Debian's chromium driven by playwright) on the stata-live kernel.

The test starts its own ``jupyter lab`` on a free loopback port with a token, a temp root holding a prepared
notebook (kernelspec ``stata-live-test``) and an isolated HOME, then reads what a user would see from the DOM.
Waits are on DOM conditions (playwright ``expect`` / ``wait_for_function``, a MutationObserver), never timers.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.harness import TEST_KERNEL_NAME

from .conftest import ROOT, frontend_env, require_executable, require_module

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("STATA_LIVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
NOTEBOOK = "live.ipynb"
GRAPH_CELL = 0
LOOP_CELL = 1
LOOP_LINES = 8
SERVER_START_S = 90.0  # jupyter lab on a busy 2-core box
UI_S = 90.0  # first load of the JupyterLab bundle, first kernel start
RUN_S = 60.0


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path
    artifacts: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _notebook() -> dict[str, Any]:
    def code(cell_id: str, source: str) -> dict[str, Any]:
        return {"cell_type": "code", "id": cell_id, "metadata": {}, "execution_count": None, "outputs": [],
                "source": source}

    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": TEST_KERNEL_NAME, "display_name": "Stata (live, test)", "language": "stata"},
            "language_info": {"name": "stata", "codemirror_mode": "stata", "mimetype": "text/x-stata",
                              "file_extension": ".do", "pygments_lexer": "stata"},
        },
        "cells": [
            code("graph", "* price against mileage\nsysuse auto\nscatter price mpg"),
            code("loop", f'forvalues i = 1/{LOOP_LINES} {{\n    display "line `i\'"\n    sleep 400\n}}'),
        ],
    }


def _quiet_lab_settings(config_dir: Path) -> None:
    """No news/update toasts over the notebook (and no requests to the internet for them)."""
    settings = config_dir / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")


def _wait_for_server(proc: subprocess.Popen[bytes], url: str, token: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"jupyter lab did not answer within {SERVER_START_S}s:\n{log.read_text()}")
        time.sleep(0.2)  # polling the server's status endpoint until it answers


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, sim_dir: str) -> Iterator[Lab]:
    require_module("jupyterlab")
    base = tmp_path_factory.mktemp("jupyterlab")
    env = frontend_env(base, sim_dir)
    _quiet_lab_settings(Path(env["JUPYTER_CONFIG_DIR"]))
    root = base / "root"
    root.mkdir()
    (root / NOTEBOOK).write_text(json.dumps(_notebook(), indent=1), encoding="utf-8")
    token = secrets.token_hex(16)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = base / "jupyter-lab.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
    ]
    with log.open("wb") as log_file:
        proc = subprocess.Popen(command, env=env, cwd=root, stdout=log_file, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        _wait_for_server(proc, url, token, log)
        yield Lab(url, token, root, log, base)
    finally:
        proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Page]:
    require_module("playwright")
    chromium = require_executable("chromium", CHROMIUM)
    from playwright.sync_api import expect, sync_playwright

    user_data = lab.artifacts / "chromium-profile"  # empty: a first run with no state
    user_data.mkdir()
    browser_log = lab.artifacts / "browser-console.log"
    with browser_log.open("w", encoding="utf-8", buffering=1) as log, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(user_data), executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 1020}, device_scale_factor=1,
        )
        try:
            tab = context.pages[0] if context.pages else context.new_page()
            tab.on("console", lambda msg: log.write(f"{msg.type}: {msg.text}\n"))
            tab.on("pageerror", lambda exc: log.write(f"pageerror: {exc}\n"))
            tab.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}")
            expect(tab.locator(".jp-Notebook .jp-Cell")).to_have_count(2, timeout=UI_S * 1000)
            _collapse_left_sidebar(tab)
            yield tab
        finally:
            context.close()


@pytest.fixture(autouse=True)
def _evidence_on_failure(request: pytest.FixtureRequest, lab: Lab, page: Page) -> Iterator[None]:
    """When a test fails, keep what the browser showed and what the server logged."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    shot = lab.artifacts / f"failed-{request.node.name}.png"
    try:
        page.screenshot(path=str(shot))
    except Exception as exc:  # evidence only: never mask the test's own failure
        shot = Path(f"(no screenshot: {exc})")
    server_log = "\n".join(lab.log.read_text(errors="replace").splitlines()[-40:])
    browser_log = "\n".join((lab.artifacts / "browser-console.log").read_text(errors="replace").splitlines()[-20:])
    print(f"screenshot of the failure: {shot}\n--- jupyter lab log, last lines ---\n{server_log}"
          f"\n--- browser console, last lines ---\n{browser_log}")


def _collapse_left_sidebar(page: Page) -> None:
    """More room for the notebook in the screenshot: click the open sidebar tab to fold it."""
    from playwright.sync_api import expect

    current = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if current.count():
        current.first.click()
        expect(page.locator("#jp-left-stack")).to_be_hidden()


def _cell(page: Page, index: int) -> Locator:
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def _prompt(cell: Locator) -> Locator:
    return cell.locator(".jp-InputPrompt").first


def _run(page: Page, cell: Locator, attempts: int = 3) -> None:
    """Run one cell in place, as a user would: click into its editor, Ctrl+Enter; wait until it has started.

    JupyterLab marks a cell ``[*]`` the moment it sends the execute request, so a cell still ``[ ]`` a while
    after the keys means they never reached it (seen on a loaded box: focus lost while the page re-laid out);
    a user would press again, and so do we, without any risk of running the cell twice.
    """
    from playwright.sync_api import Error, expect

    started = re.compile(r"\[(\*|\d+)\]:")
    for attempt in range(1, attempts + 1):
        cell.locator(".cm-content").click()
        expect(cell.locator(".cm-editor.cm-focused")).to_have_count(1, timeout=UI_S * 1000)
        page.keyboard.press("Control+Enter")
        try:
            expect(_prompt(cell)).to_have_text(started, timeout=15_000)
            return
        except (AssertionError, Error):
            if attempt == attempts:
                raise
            print(f"Ctrl+Enter #{attempt} did not start the cell (prompt {_prompt(cell).inner_text()!r}); again")


def _wait_finished(cell: Locator) -> None:
    from playwright.sync_api import expect

    expect(_prompt(cell)).to_have_text(re.compile(r"\[\d+\]:"), timeout=RUN_S * 1000)


# Colours JupyterLab's highlight style uses, resolved to rgb() in the page, by CSS variable name.
_RESOLVE_THEME_COLORS = """(names) => {
    const probe = document.createElement('span');
    document.querySelector('.jp-Notebook').appendChild(probe);
    const out = {};
    for (const name of names) { probe.style.color = `var(${name})`; out[name] = getComputedStyle(probe).color; }
    probe.remove();
    return out;
}"""
_THEME_TOKENS = ["keyword", "string", "string-2", "variable", "variable-2", "variable-3", "builtin", "def", "atom",
                 "number", "comment", "operator", "meta", "qualifier", "property", "attribute", "tag"]
_TOKENS = """(cell) => Array.from(cell.querySelectorAll('.cm-content .cm-line')).map(line =>
    Array.from(line.childNodes).map(node => ({
        text: node.textContent,
        color: node.nodeType === Node.ELEMENT_NODE ? getComputedStyle(node).color : null,
    })))"""


def test_stata_commands_strings_macros_and_comments_are_syntax_highlighted(page: Page) -> None:
    # JupyterLab 4 ships no Stata mode: codemirror_mode "stata" alone leaves cells plain text. The
    # jupyterlab-stata-highlight3 labextension registers one for text/x-stata; it styles commands with the
    # theme's string-2 colour, strings with string, macros with variable-2 and comments with builtin.
    require_module("jupyterlab_stata_highlight3", "jupyterlab-stata-highlight3")
    for index in (GRAPH_CELL, LOOP_CELL):
        _cell(page, index).locator(".cm-content .cm-line span").first.wait_for(timeout=UI_S * 1000)
    theme = page.evaluate(_RESOLVE_THEME_COLORS, [f"--jp-mirror-editor-{name}-color" for name in _THEME_TOKENS])
    color = {name: theme[f"--jp-mirror-editor-{name}-color"] for name in _THEME_TOKENS}
    tokens = [t for index in (GRAPH_CELL, LOOP_CELL) for line in _cell(page, index).evaluate(_TOKENS) for t in line]
    styled = {t["text"].strip(): t["color"] for t in tokens if t["color"]}
    plain = "".join(t["text"] for t in tokens if not t["color"])

    commands = ("forvalues", "display", "sleep", "sysuse", "scatter")
    assert {styled.get(command) for command in commands} == {color["string-2"]}, (styled, color)
    assert styled.get('"line') == styled.get('"') == color["string"], (styled, color)
    assert styled.get("`i'") == color["variable-2"], (styled, color)
    assert styled.get("* price against mileage") == color["builtin"], (styled, color)
    assert len({color["string-2"], color["string"], color["variable-2"], color["builtin"]}) == 4, color
    assert not any(word in plain for word in (*commands, '"line', "`i'", "* price")), plain


def test_graph_cell_shows_the_graph_as_an_inline_image(page: Page) -> None:
    from playwright.sync_api import expect

    cell = _cell(page, GRAPH_CELL)
    _run(page, cell)
    image = cell.locator(".jp-OutputArea-output img")
    expect(image).to_be_visible(timeout=RUN_S * 1000)
    _wait_finished(cell)
    loaded = image.evaluate("img => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0")
    assert loaded, "the browser decoded the graph"
    source = image.get_attribute("src") or ""
    # JupyterLab picks the richest type the kernel sent: image/svg+xml (as a data: or blob: URL) over image/png.
    assert cell.locator(".jp-RenderedSVG img, .jp-RenderedImage img").count() == 1, source[:60]
    assert "(1978 automobile data)" in cell.locator(".jp-OutputArea").inner_text()


# Records the cell's prompt and its count of `line N` output lines at every DOM change inside the cell.
_OBSERVE_OUTPUT = """(cell) => {
    const snapshot = () => ({
        prompt: cell.querySelector('.jp-InputPrompt').textContent.trim(),
        lines: ((cell.querySelector('.jp-OutputArea') || {}).innerText || '').match(/^line \\d+$/gm)?.length || 0,
    });
    window.__stataLive = [snapshot()];
    const observer = new MutationObserver(() => window.__stataLive.push(snapshot()));
    observer.observe(cell, {subtree: true, childList: true, characterData: true});
    window.__stataLiveStop = () => observer.disconnect();
}"""


def test_loop_output_grows_while_the_cell_is_still_running(page: Page, lab: Lab) -> None:
    cell = _cell(page, LOOP_CELL)
    cell.evaluate(_OBSERVE_OUTPUT)
    _run(page, cell)
    # Mid-run: some lines shown, the cell still [*]. The screenshot is the README's picture of live output.
    page.wait_for_function(
        "() => window.__stataLive.some(s => s.prompt.includes('*') && s.lines >= 4)", timeout=RUN_S * 1000)
    shot = lab.artifacts / "jupyterlab.png"
    page.screenshot(path=str(shot))
    running_after_shot = "*" in _prompt(cell).inner_text()
    _wait_finished(cell)
    snapshots: list[dict[str, Any]] = page.evaluate("() => { window.__stataLiveStop(); return window.__stataLive; }")
    if os.environ.get("STATA_LIVE_SAVE_FRONTEND_DOCS") and running_after_shot:
        shutil.copyfile(shot, ROOT / "docs" / "jupyterlab.png")

    output = cell.locator(".jp-OutputArea").inner_text()
    assert re.findall(r"^line \d+$", output, re.M) == [f"line {i}" for i in range(1, LOOP_LINES + 1)]
    while_running = [s["lines"] for s in snapshots if "*" in s["prompt"]]
    assert while_running == sorted(while_running), "output only grows"
    partial = sorted({n for n in while_running if 0 < n < LOOP_LINES})
    # A kernel that buffered would show 0 lines while [*] and all 8 at once with [n]; streaming shows steps.
    assert len(partial) >= 3, f"line counts seen while the cell ran: {partial}"
