"""A tiny stand-in for the bot process, so the user helpers' waits can be tested."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from tests.fakes import FakeBotApi

TOKEN = "123:ABC"


class EchoBot:
    """A tiny synchronous long-polling bot, standing in for the bot process under test.

    Text ``menu`` gets a keyboard, ``/start x`` gets ``Welcome x``, other text is echoed;
    a button press is answered and the keyboard message edited to ``chose <data>``.
    """

    def __init__(self, server: FakeBotApi) -> None:
        self.client = httpx.Client(base_url=f"{server.base_url}{TOKEN}/", timeout=10)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def call(self, method: str, **params: Any) -> Any:
        return self.client.post(method, json=params).json().get("result")

    def _run(self) -> None:
        offset = 0
        while not self.stopped.is_set():
            try:
                updates = self.call("getUpdates", offset=offset, timeout=1) or []
            except httpx.HTTPError:
                return
            for update in updates:
                offset = update["update_id"] + 1
                self._handle(update)

    def _handle(self, update: dict[str, Any]) -> None:
        if "callback_query" in update:
            query = update["callback_query"]
            self.call("answerCallbackQuery", callback_query_id=query["id"], text="noted")
            message = query["message"]
            self.call(
                "editMessageText",
                chat_id=message["chat"]["id"],
                message_id=message["message_id"],
                text=f"chose {query['data']}",
            )
            return
        message = update.get("message")
        if message is None or "text" not in message:
            return
        chat_id, text = message["chat"]["id"], message["text"]
        if text == "menu":
            keyboard = [[{"text": "Me", "callback_data": "v1:me"}]]
            keyboard.append([{"text": "Them", "callback_data": "v1:them"}])
            markup = {"inline_keyboard": keyboard}
            self.call("sendMessage", chat_id=chat_id, text="Who?", reply_markup=markup)
        elif text.startswith("/start"):
            self.call("sendMessage", chat_id=chat_id, text=f"Welcome {text[7:]}".strip())
        else:
            self.call("sendMessage", chat_id=chat_id, text=f"echo: {text}")
            self.call(
                "sendMessage", chat_id=chat_id, text="<i>anything else?</i>", parse_mode="HTML"
            )

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(10)
        self.client.close()
