"""Statistics: what the network holds (records by year, type, language, subject; full-text coverage;
growth) and how it is used (views and downloads counted in the manner of COUNTER)."""
