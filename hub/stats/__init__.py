"""Statistics: what the network holds (records by year, type, language, subject; full-text coverage;
growth) and how it is used (views and downloads counted in the manner of COUNTER), with the monthly
usage reports. No Flask here: the pages and charts are the web layer's (hub.web.statistics,
hub.web.charts), and so is the hook that counts usage (hub.web.usage_hooks)."""
