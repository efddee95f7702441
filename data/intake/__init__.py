"""Data intake (数据接入): what departments send, as the exchange format defines it
(../shared/EXCHANGE_FORMAT.md, version 1). `datasets` declares every dataset's columns;
the import service (issue #13) reads, validates and loads through it."""
