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
RETRY_ENABLED = True
RETRY_TIMES = 2  # initial response + 2 retries = 3 requests
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

DOWNLOADER_MIDDLEWARES = {
    # Sees responses after decompression (HttpCompressionMiddleware is 590), before the spider.
    "crawler.warc.WarcMiddleware": 586,
    "crawler.challenge.ChallengeMiddleware": 584,  # after the WARC has the exchange
}
NIANBAO_WARC_ENABLED = True
NIANBAO_CHALLENGE_ENABLED = True
NIANBAO_CHALLENGE_CODES = [412, 521]  # Ruishu (瑞数) and Jiasule (加速乐) JavaScript challenges

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
