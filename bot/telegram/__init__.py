"""The Telegram adapter: durable polling, per-chat ordering, the outbox sender."""
