"""Parley's HTTP/1.1 keep-alive client for Bot API calls (`client.LeanRequest`) and its
response parser (`response`); uploads, downloads and proxies stay on httpx."""

__all__ = ["client", "response"]
