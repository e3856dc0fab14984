"""`peer-eval preview`: one pair's HTML report, re-rendered on every save, served on localhost.

The analyst writes the narrative with the report open in a browser. The pair's
notebooks are executed once (or taken from the execution cache, see
pipeline.execution_cache); after that every save of the narrative or the report
template only re-renders the HTML, which takes a fraction of a second. The page at
`/` shows the report in a frame and reloads it, keeping the scroll position, when a
new rendering is ready; a failed rendering is shown above the last good one.

Preview writes only into `<out>/.preview/<year>/<slug>/` (and the execution cache):
the published reports, their manifests and the index are never touched, and no run
lock is taken, so a `peer-eval run` may go on at the same time.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.build import (
    PairTask,
    execute_pair,
    render_pair,
    restore_execution,
    store_execution,
)
from pipeline.errors import PeerEvalError, PublishError, UsageError

PREVIEW = ".preview"
REPORT = "rapport.html"
POLL_MS = 200

_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  html, body {{ margin: 0; height: 100%; }}
  body {{ display: flex; flex-direction: column; font-family: sans-serif; }}
  #error {{ display: none; margin: 0; padding: .75rem 1rem; background: #fde8e8;
           color: #7a1010; white-space: pre-wrap; border-bottom: 2px solid #7a1010; }}
  iframe {{ flex: 1; border: 0; width: 100%; }}
</style></head>
<body>
<pre id="error" role="alert"></pre>
<iframe id="report" title="{title}" src="/{report}"></iframe>
<script>
  let version = null;
  const frame = document.getElementById("report");
  const error = document.getElementById("error");
  async function poll() {{
    try {{
      const state = await (await fetch("/version", {{cache: "no-store"}})).json();
      error.textContent = state.error;
      error.style.display = state.error ? "block" : "none";
      if (version !== null && state.version !== version) {{
        const y = frame.contentWindow.scrollY;
        frame.addEventListener("load", () => frame.contentWindow.scrollTo(0, y), {{once: true}});
        frame.contentWindow.location.reload();
      }}
      version = state.version;
    }} catch (e) {{ /* the preview was stopped; keep the last page */ }}
    setTimeout(poll, {poll_ms});
  }}
  poll();
</script>
</body></html>
"""


@dataclass
class PreviewState:
    """What the server shows: the rendering's version, and the last rendering error."""

    version: int = 0
    error: str = ""
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def preview_dir(task: PairTask) -> Path:
    """The pair's preview folder, beside (never inside) the published reports."""
    return Path(task.out) / PREVIEW / str(task.pair.year) / task.pair.slug


def prepare(task: PairTask) -> Path:
    """Make the pair's preview folder: executed notebooks (cached or run now), no report yet.

    Returns:
        The preview folder.

    Raises:
        PeerEvalError: When a notebook fails.
        PublishError: When the preview folder cannot be written.
    """
    folder = preview_dir(task)
    shutil.rmtree(folder, ignore_errors=True)
    try:
        (folder / "notebooks").mkdir(parents=True)
    except OSError as exc:  # a read-only or full --out: say so, not a traceback
        reason = exc.strerror or str(exc)
        raise PublishError(
            f"cannot write the preview folder {folder}: {reason}; "
            "make --out writable for this user or choose another --out"
        ) from None
    if not restore_execution(task, folder):
        execute_pair(task, folder)
        store_execution(task, folder)
    return folder


def rerender(task: PairTask, folder: Path, state: PreviewState) -> None:
    """Render the HTML again; on failure keep the last good report and record the error."""
    started = time.monotonic()
    try:
        render_pair(task, folder, ["html"])
    except PeerEvalError as exc:
        with state.lock:
            state.error = str(exc)
        return
    with state.lock:
        state.error, state.version = "", state.version + 1
        state.seconds = time.monotonic() - started


def watched_files(task: PairTask) -> list[Path]:
    """The files whose change re-renders the preview: the narrative and the report template."""
    return [Path(p) for p in (task.narrative_file, task.template) if p]


def watch(
    files: Iterable[Path],
    on_change: Callable[[], None],
    stop: threading.Event | None = None,
    since: tuple | None = None,
) -> None:
    """Call `on_change` after each save of any of `files`, until `stop` is set or Ctrl-C.

    Folders are watched rather than files, so that an editor that saves by writing a
    new file and renaming it (most do), or a narrative that does not exist yet, is seen.
    The files' size and modification time are also compared twice a second with
    `since` (their `signature` when the shown rendering read them), so a save made
    while the watcher was still starting is not lost either.
    """
    from watchfiles import watch as watch_paths

    wanted = {Path(f).resolve() for f in files}
    folders = sorted({str(f.parent) for f in wanted if f.parent.is_dir()})
    seen = signature(wanted) if since is None else since
    for _changes in watch_paths(
        *folders,
        watch_filter=lambda _change, path: Path(path).resolve() in wanted,
        debounce=50,
        step=20,
        rust_timeout=500,
        yield_on_timeout=True,
        stop_event=stop,
        raise_interrupt=False,
    ):
        current = signature(wanted)
        if current != seen:
            seen = current
            on_change()


def signature(files: Iterable[Path]) -> tuple:
    """Size and modification time of each file (None for an absent one), in a fixed order."""

    def stat(path: Path) -> tuple[int, int] | None:
        try:
            status = path.stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size

    return tuple(stat(path) for path in sorted(Path(f).resolve() for f in files))


def run_preview(task: PairTask, *, port: int, echo: Callable[[str], None] = print) -> None:
    """Prepare, render, serve and re-render the pair's preview until Ctrl-C.

    Args:
        task: The planned pair (its formats are ignored: preview renders HTML).
        port: Port on 127.0.0.1; 0 picks a free one.
        echo: Where progress lines go.

    Raises:
        PeerEvalError: When the pair's notebooks fail (nothing is served).
        UsageError: When the port is in use or out of range (before any work).
        PublishError: When the preview folder cannot be written.
    """
    state = PreviewState()
    title = f"{task.pair.region} {task.pair.year}"
    # Listening first: a port in use stops the preview before any notebook runs. Until
    # the first rendering the page polls a version that has not changed yet.
    folder = preview_dir(task)
    server = serve(folder, state, port=port, title=title, lang=task.pair.settings.lang)
    try:
        echo(f"preparing {task.pair.key}: executed notebooks from the cache, or executed now ...")
        prepare(task)
        files = watched_files(task)
        rendered_from = signature(files)  # before rendering: a save during it is seen later
        rerender(task, folder, state)
        echo(f"preview: http://127.0.0.1:{server.server_address[1]}/  (Ctrl-C stops)")
        for path in files:
            echo(f"watching {path}")

        def on_change() -> None:
            rerender(task, folder, state)
            echo(f"error: {state.error}" if state.error else f"re-rendered ({state.seconds:.2f} s)")

        watch(files, on_change, since=rendered_from)
    finally:
        server.shutdown()
        server.server_close()


def serve(
    folder: Path, state: PreviewState, *, port: int, title: str, lang: str
) -> ThreadingHTTPServer:
    """Start serving the preview on 127.0.0.1 in a background thread.

    Args:
        folder: The preview folder holding rapport.html.
        state: Version and error, read by the page's poll.
        port: The port; 0 picks a free one.
        title: The page title (the report's region and year).
        lang: The page language.

    Returns:
        The running server (`server.server_address[1]` is the port; `shutdown()` stops it).

    Raises:
        UsageError: The port is in use or out of range.
    """
    page = _PAGE.format(lang=lang, title=_html_text(title), report=REPORT, poll_ms=POLL_MS).encode(
        "utf-8"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?", 1)[0]
            if path == "/":
                self._send(page, "text/html; charset=utf-8")
            elif path == f"/{REPORT}":
                try:
                    self._send((folder / REPORT).read_bytes(), "text/html; charset=utf-8")
                except OSError:
                    self.send_error(404)
            elif path == "/version":
                with state.lock:
                    body = {"version": state.version, "error": state.error}
                self._send(json.dumps(body).encode("utf-8"), "application/json")
            else:
                self.send_error(404)

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # one line per poll would drown the terminal
            pass

    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    except (OSError, OverflowError) as exc:  # in use, or not a port (0-65535)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(
            f"--port {port}: cannot listen on 127.0.0.1:{port} ({reason}); "
            "choose another port, or --port 0 for any free one"
        ) from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
