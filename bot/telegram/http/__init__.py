"""The Bot API's HTTP client: python-telegram-bot's `BaseRequest` over aiohttp
(`aiohttp_request.AiohttpRequest`), for calls, long polling and uploads alike."""
