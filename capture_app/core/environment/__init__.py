"""The systems involved: probes of this computer (probes), the customer's user
agent (useragent), which browsers are supported (browser_support), whether the instance is
reachable (reachability), and the system facts as the report shows them (system_info).

May import: report, platform.
"""
