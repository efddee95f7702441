"""Files the dashboard writes: tables (CSV/XLSX), chart images, the weekly briefing
(PPTX/PDF). No dash; images and PDFs are rendered by a Chromium child process."""
