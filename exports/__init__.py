"""File exports of the dashboard (tables to CSV/XLSX); pure, no dash."""
