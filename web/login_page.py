"""The login and change-password pages: plain server-rendered HTML (no script at all), in
the user's language, styled by the same Bootstrap and sunshine.css as the dashboard.

When the database holds the demo accounts (`cli.py ensure-demo` made them), the login page
says that this is a demonstration and where the one-time passwords were printed.
"""
from __future__ import annotations

from flask import render_template_string
from sqlalchemy.exc import SQLAlchemyError

from data.users import DEMO_ACCOUNTS_KEY
from i18n import LANGS, t
from runtime import get_engine

_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ app_title }}</title>
<link rel="stylesheet" href="/vendor/bootstrap.min.css">
<link rel="stylesheet" href="/assets/sunshine.css">
</head>
<body class="sun-login-body">
<main class="sun-login" id="login-root" data-page="{{ page }}">
  <div class="sun-login-brand">
    <h1 class="sun-login-title">{{ app_title }}</h1>
    <p class="sun-login-sub">{{ subtitle }}</p>
  </div>
  <div class="card sun-card sun-login-card"><div class="card-body">
    <h2 class="h5 mb-3">{{ title }}</h2>
    {% if message %}
    <div class="alert {{ 'alert-danger' if error else 'alert-info' }}" role="alert" id="login-message">
      {{ message }}
    </div>
    {% endif %}
    {% if form %}
    <form method="post" action="{{ action }}" autocomplete="on">
      <input type="hidden" name="lang" value="{{ lang }}">
      {% for field in fields %}
      <div class="mb-3">
        <label class="form-label" for="{{ field.id }}">{{ field.label }}</label>
        <input class="form-control" id="{{ field.id }}" name="{{ field.id }}" type="{{ field.type }}"
               value="{{ field.value }}" autocomplete="{{ field.autocomplete }}" required maxlength="128"
               {% if loop.first %}autofocus{% endif %}>
      </div>
      {% endfor %}
      {% if next_path %}<input type="hidden" name="next" value="{{ next_path }}">{% endif %}
      <button class="btn btn-primary w-100" type="submit" id="login-submit">{{ submit }}</button>
    </form>
    {% endif %}
    {% if note %}<p class="sun-login-note mt-3 mb-0" id="login-demo-note">{{ note }}</p>{% endif %}
  </div></div>
  <nav class="sun-login-langs" aria-label="{{ lang_label }}">
    {% for code, label, href in langs %}
    <a href="{{ href }}" {% if code == lang %}aria-current="true" class="fw-bold"{% endif %}>{{ label }}</a>
    {% endfor %}
  </nav>
</main>
</body>
</html>"""

_LANG_LABEL = {"zh-CN": "lang.zh_CN", "en": "lang.en"}


def _demo_note(lang: str) -> str:
    from data.queries import fetch_dataset_info
    try:
        with get_engine().connect() as conn:
            demo = fetch_dataset_info(conn).get(DEMO_ACCOUNTS_KEY)
    except SQLAlchemyError:  # no schema yet
        return ""
    return t("auth.demo_note", lang) if demo else ""


def _render(lang: str, *, page: str, title: str, fields: list[dict], submit: str, action: str,
            message: str = "", error: bool = False, next_path: str = "", form: bool = True, note: str = "",
            path: str = "/login") -> str:
    langs = [(code, t(_LANG_LABEL[code]), f"{path}?lang={code}") for code in LANGS]
    return render_template_string(
        _PAGE, lang=lang, page=page, title=title, app_title=t("app.title", lang), subtitle=t("app.subtitle", lang),
        message=message, error=error, form=form, fields=fields, submit=submit, action=action,
        next_path=next_path, note=note, langs=langs, lang_label=t("lang.label", lang))


def render_login(lang: str, *, message: str = "", next_path: str = "", name: str = "", error: bool = False,
                 form: bool = True) -> str:
    fields = [
        {"id": "name", "label": t("auth.name", lang), "type": "text", "value": name, "autocomplete": "username"},
        {"id": "password", "label": t("auth.password", lang), "type": "password", "value": "",
         "autocomplete": "current-password"},
    ]
    return _render(lang, page="login", title=t("auth.login_title", lang), fields=fields,
                   submit=t("auth.submit", lang), action="/login", message=message, error=error,
                   next_path=next_path if next_path != "/" else "", form=form, note=_demo_note(lang))


def render_password(lang: str, *, forced: bool, message: str = "") -> str:
    fields = [{"id": key, "label": t(f"auth.password.{key}", lang), "type": "password", "value": "",
               "autocomplete": "current-password" if key == "old" else "new-password"}
              for key in ("old", "new", "again")]
    return _render(lang, page="password", title=t("auth.password.title", lang), fields=fields,
                   submit=t("auth.password.submit", lang), action="/password", path="/password",
                   message=message or (t("auth.password.forced", lang) if forced else ""), error=bool(message))
