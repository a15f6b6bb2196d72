-- Scheduling state: when each feed is next checked, the URL as configured (the polled URL
-- may differ after a permanent redirect), and the server's freshness hints.
ALTER TABLE feeds ADD COLUMN next_check INTEGER;            -- unix seconds; NULL = now
ALTER TABLE feeds ADD COLUMN config_url TEXT;               -- url as written in feeds.toml
ALTER TABLE feeds ADD COLUMN fresh_secs INTEGER;            -- Cache-Control max-age / Expires
ALTER TABLE feeds ADD COLUMN update_period_secs INTEGER;    -- sy:updatePeriod / updateFrequency
ALTER TABLE feeds ADD COLUMN last_error_kind TEXT;         -- timeout, status, network, parse...
UPDATE feeds SET config_url = url;
