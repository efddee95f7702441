"""Component ids of the data intake page (/data)."""
from __future__ import annotations

DA_ROOT = "data-root"
DA_LANG = "data-lang"
DA_UPLOAD = "data-upload"
DA_JOB = "data-job"
DA_POLL = "data-poll"
DA_STATUS = "data-status"
DA_PROGRESS = "data-progress"
DA_SUMMARY = "data-summary"
DA_REJECTED = "data-rejected"
DA_REPORT = "data-report"
DA_REPORT_DOWNLOAD = "data-report-download"
DA_HISTORY = "data-history"
DA_TEMPLATE = "data-template"
DA_TEMPLATE_GET = "data-template-get"
DA_TEMPLATE_DOWNLOAD = "data-template-download"
DA_REPORTING_MONTH = "data-reporting-month"
DA_REPORTING_DATASET = "data-reporting-dataset"
DA_REPORTING = "data-reporting"

PLAIN_IDS = (DA_ROOT, DA_LANG, DA_UPLOAD, DA_JOB, DA_POLL, DA_STATUS, DA_PROGRESS, DA_SUMMARY, DA_REJECTED,
             DA_REPORT, DA_REPORT_DOWNLOAD, DA_HISTORY, DA_TEMPLATE, DA_TEMPLATE_GET, DA_TEMPLATE_DOWNLOAD,
             DA_REPORTING_MONTH, DA_REPORTING_DATASET, DA_REPORTING)
