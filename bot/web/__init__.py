"""The instructor review site (Starlette + Jinja2): `bot.web.app.create_app`, served by
`python -m bot web` (`bot.web.serve`). Access decisions are `CourseService`'s, never the site's."""
