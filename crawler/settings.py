"""Scrapy settings of a crawl process: one crawler, many sites (one report year). Components are wired here, each
with its reason. What is a site's own (its delay, page bound, WARC, state) lives in crawler.site and is applied per
host or per site by the components; crawler.crawl sets what depends on the batch (hosts in flight)."""

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spider"]

# Manners: a national archive crawler identifies itself, obeys robots.txt and stays slow on each host.
NIANBAO_CONTACT_URL = "https://github.com/nianbao/nianbao"
USER_AGENT = f"nianbao/0.1 (+{NIANBAO_CONTACT_URL}; annual-report archive)"
ROBOTSTXT_OBEY = True
# Hosts crawled at once by one crawl process (the knob of a national harvest: the delay binds a crawl to its host,
# so only more hosts at once finish sooner). Memory per host in flight: docs/SCALE.md.
NIANBAO_HOSTS_IN_FLIGHT = 256
# A crawl process holding more resident memory than this starts no new host until a site ends (measured: ≈ 90 MB
# a process, well under 0.1 MB per small host in flight; a host fetching large PDFs holds up to 2 of them).
NIANBAO_CRAWL_MEMORY_MB = 1024
CONCURRENT_REQUESTS_PER_DOMAIN = 2
CONCURRENT_REQUESTS = 2 * NIANBAO_HOSTS_IN_FLIGHT  # crawler.crawl keeps it at twice the hosts in flight
# Scrapy's broad-crawl queue: the next request goes to the host (download slot) with the fewest in flight, so one
# site's many report pages do not hold the downloader while other hosts wait.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
# The delay of each host's slot is kept by crawler.middlewares.politeness (the sites' delays, robots.txt
# Crawl-delay, Retry-After); AutoThrottle adjusts each slot from its latency, never below that floor.
DOWNLOAD_DELAY = 0.0
NIANBAO_DEFAULT_DELAY = 1.0  # seconds between requests to one host, for a site whose registry entry names none
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = True
REACTOR_THREADPOOL_MAXSIZE = 20  # state loads, WARC uploads and dispatches of the sites ending at once

# Bounds: every crawl ends, whatever the site does.
DEPTH_LIMIT = 6  # link hops from an entry page; a column's further pages do not count (crawler.site)
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024  # a report PDF is rarely above 20 MB
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
# Per site (crawler.middlewares.sites): its `max_pages` (400 unless the registry says), and this time bound.
NIANBAO_SITE_TIMEOUT = 15 * 60
REDIRECT_MAX_TIMES = 5  # portals redirect once or twice; more is a loop
RETRY_ENABLED = True
RETRY_TIMES = 2  # initial response + 2 retries = 3 requests
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

DOWNLOADER_MIDDLEWARES = {
    # Refuses hostile requests first, in place of Scrapy's OffsiteMiddleware (which lets `dont_filter`
    # requests and their redirects through and does not say why): schemes, off-domain redirects, private hosts.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    # robots.txt kept a day in the sites' state: a re-run the same day does not ask every host again.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.CachedRobotsTxtMiddleware": 100,
    "crawler.middlewares.sites.SiteBoundsMiddleware": 40,  # a site told to end sends nothing more
    "crawler.hostile.HostileUrlMiddleware": 50,
    "crawler.traps.QueryVariantMiddleware": 60,  # before robots.txt: a trap URL costs nothing
    "crawler.render.RenderListingsMiddleware": 115,  # before the conditional headers: rendered pages take none
    "crawler.conditional.ConditionalRequestMiddleware": 120,
    # Sees a 429/503 before RetryMiddleware (550) asks again, and keeps each slot's delay.
    "crawler.middlewares.politeness.PolitenessMiddleware": 555,
    # What went on the wire, per site: beside DownloaderStats (850).
    "crawler.middlewares.sites.SiteStatsMiddleware": 845,
    # Sees responses after decompression (HttpCompressionMiddleware is 590), before the spider.
    "crawler.warc.WarcMiddleware": 586,
    "crawler.challenge.ChallengeMiddleware": 584,  # after the WARC has the exchange
}
SPIDER_MIDDLEWARES = {
    # The last before the engine: a site's requests that reach the scheduler are its pending ones (crawler.spider).
    "crawler.middlewares.sites.SitePendingMiddleware": 10,
}
NIANBAO_WARC_ENABLED = True
NIANBAO_CHALLENGE_ENABLED = True
NIANBAO_CHALLENGE_CODES = [412, 521]  # Ruishu (瑞数) and Jiasule (加速乐) JavaScript challenges
# Hostile URLs: javascript:/data:/file: schemes, redirects off `allowed_domains`, hosts on private, loopback or
# link-local addresses. A local replica (registry `local: true`) sets ALLOW_PRIVATE.
NIANBAO_HOSTILE_ENABLED = True
NIANBAO_HOSTILE_ALLOW_PRIVATE = False
# Traps: at most this many distinct query strings per host and path (the endless calendar stops here).
NIANBAO_TRAPS_ENABLED = True
NIANBAO_TRAPS_QUERY_VARIANTS = 30
# Each host's delay (crawler.middlewares.politeness): its sites' delays, robots.txt `Crawl-delay` for our user agent
# (capped: stat nianbao/crawldelay/capped), and what 429/503 answers ask (Retry-After, capped; else doubling).
NIANBAO_POLITENESS_ENABLED = True
NIANBAO_CRAWLDELAY_MAX = 30.0  # seconds
NIANBAO_RETRY_AFTER_MAX = 120.0  # seconds; a host asking longer is waited for this long, and retried
NIANBAO_BACKOFF_MIN = 2.0  # seconds: the first slow-down of a host that refuses without Retry-After
# Conditional GETs (If-None-Match / If-Modified-Since) for the pages the state trusts: reports and attachments
# queued before, listing pages whose reports were all queued; `crawler.crawl --force` turns it off.
NIANBAO_CONDITIONAL_ENABLED = True

# Rendering (crawler.render): the listing pages of a `render: true` site go through Debian's Chromium with
# scrapy-playwright; the spider turns it on for such a site only (NIANBAO_RENDER_ENABLED, the download handler).
NIANBAO_RENDER_ENABLED = False
NIANBAO_RENDER_CHROMIUM = "/usr/bin/chromium"
NIANBAO_RENDER_WAIT_UNTIL = "networkidle"  # lists that scripts fetch after the page loaded are drawn too

# Each site's incremental state (storage.state) is saved every N of its responses and when it ends; the store URL
# is set by crawler.crawl (no store: no checkpoints).
EXTENSIONS = {"crawler.checkpoint.StateCheckpoint": 500}
NIANBAO_CHECKPOINT_ENABLED = True
NIANBAO_CHECKPOINT_STORE = ""
NIANBAO_CHECKPOINT_EVERY = 25

# Seen requests in a capped LRU (Scrapy's RFPDupeFilter keeps every fingerprint for the whole crawl).
DUPEFILTER_CLASS = "crawler.dupefilter.BoundedDupeFilter"
NIANBAO_DUPEFILTER_ENABLED = True
NIANBAO_DUPEFILTER_MAX = 200_000  # 16-byte fingerprints: about 30 MB; evictions count nianbao/dupefilter/evicted

TELNETCONSOLE_ENABLED = False
# Scrapy's remote control (2.19) starts, per crawler, an HTTP server on localhost that runs the Python code posted
# to it, and writes its token to a job file in the user's home: a door we do not want open on a harvest host, and
# a server started and stopped for every site of a batch.
REMOTE_CONTROL_ENABLED = False
# Scrapy checks on every response whether its callback is a generator that returns a value, by reading and parsing
# the callback's source: its cache is keyed by bound methods, new objects each time. Our callbacks return nothing.
WARN_ON_GENERATOR_RETURN_VALUE = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
