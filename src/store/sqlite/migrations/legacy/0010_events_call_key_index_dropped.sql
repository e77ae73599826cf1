-- The events of a call are found through its links in the calls' file (call_links.event_seqs, calls migration
-- 0002), no longer through an index on the events' call key: that index put every event's insert at a random
-- page (bench/README.md). The column stays: it is what the events were folded by.
DROP INDEX events_call_key;
