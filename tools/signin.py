"""Sign a headless browser in through the real login form (screenshots, page-ready bench,
browser tests): the same path a person takes, so the session cookie is a real one."""
from __future__ import annotations


def sign_in(page, base: str, name: str, password: str, *, timeout_ms: int = 30_000) -> None:
    """Log `page` in as `name`; raises RuntimeError with the page's message when refused."""
    page.goto(f"{base}/login")
    page.fill("#name", name)
    page.fill("#password", password)
    with page.expect_navigation(timeout=timeout_ms):
        page.click("#login-submit")
    if "/login" in page.url:
        message = page.locator("#login-message").inner_text() if page.locator("#login-message").count() else ""
        raise RuntimeError(f"login of {name!r} refused: {message.strip()}")
