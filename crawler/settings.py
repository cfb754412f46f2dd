"""Scrapy settings for one crawl (one site × one year). Components are wired here, each with its reason."""

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spider"]

# Manners: a national archive crawler identifies itself, obeys robots.txt and stays slow on each host.
NIANBAO_CONTACT_URL = "https://github.com/nianbao/nianbao"
USER_AGENT = f"nianbao/0.1 (+{NIANBAO_CONTACT_URL}; annual-report archive)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0  # seconds between requests to one host; a site's `delay` hint overrides it
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = True

# Bounds: every crawl ends, whatever the site does.
DEPTH_LIMIT = 6
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024  # a report PDF is rarely above 20 MB
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
CLOSESPIDER_PAGECOUNT = 400  # a site's `max_pages` overrides it
CLOSESPIDER_TIMEOUT = 15 * 60
REDIRECT_MAX_TIMES = 5  # portals redirect once or twice; more is a loop
RETRY_ENABLED = True
RETRY_TIMES = 2  # initial response + 2 retries = 3 requests
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

DOWNLOADER_MIDDLEWARES = {
    # Refuses hostile requests first, in place of Scrapy's OffsiteMiddleware (which lets `dont_filter`
    # requests and their redirects through and does not say why): schemes, off-domain redirects, private hosts.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.hostile.HostileUrlMiddleware": 50,
    "crawler.traps.QueryVariantMiddleware": 60,  # before robots.txt: a trap URL costs nothing
    # After RobotsTxtMiddleware (100), which fetches and parses robots.txt and sends `robots_parsed`.
    "crawler.crawldelay.CrawlDelayMiddleware": 110,
    "crawler.render.RenderListingsMiddleware": 115,  # before the conditional headers: rendered pages take none
    "crawler.conditional.ConditionalRequestMiddleware": 120,
    # Sees responses after decompression (HttpCompressionMiddleware is 590), before the spider.
    "crawler.warc.WarcMiddleware": 586,
    "crawler.challenge.ChallengeMiddleware": 584,  # after the WARC has the exchange
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
# robots.txt `Crawl-delay` for our user agent becomes the host's download delay (never below DOWNLOAD_DELAY).
NIANBAO_CRAWLDELAY_ENABLED = True
NIANBAO_CRAWLDELAY_MAX = 30.0  # seconds; a longer Crawl-delay is capped (stat nianbao/crawldelay/capped)
# Conditional GETs (If-None-Match / If-Modified-Since) for the pages the state trusts: reports and attachments
# queued before, listing pages whose reports were all queued; `crawler.crawl --force` turns it off.
NIANBAO_CONDITIONAL_ENABLED = True

# Rendering (crawler.render): the listing pages of a `render: true` site go through Debian's Chromium with
# scrapy-playwright; the spider turns it on for such a site only (NIANBAO_RENDER_ENABLED, the download handler).
NIANBAO_RENDER_ENABLED = False
NIANBAO_RENDER_CHROMIUM = "/usr/bin/chromium"
NIANBAO_RENDER_WAIT_UNTIL = "networkidle"  # lists that scripts fetch after the page loaded are drawn too

# The site's incremental state (storage.state) is saved every N responses and at close; the store URL is set
# by crawler.crawl (no store: no checkpoints).
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
