"""The report: one self-contained HTML page and a PNG per chart, from the serving copy.

from report import build_report
result = build_report(serving_db, out_dir, data_docs=..., feed_status=feed_status_from_loads(con))
"""

from report.feeds import feed_status_from_loads
from report.render import ReportResult, build_report
from report.sections import FEED_MAX_AGE

__all__ = ["FEED_MAX_AGE", "ReportResult", "build_report", "feed_status_from_loads"]
