"""The public door: pages in every language under a prefix, receipts, feeds, open data
and printable posters."""
from .bulk import bp as bulk
from .feeds import bp as feeds
from .opendata import bp as opendata
from .pages import bp as pages
from .printed import bp as printed
from .verify import bp as verify

blueprints = (pages, verify, bulk, feeds, opendata, printed)
