"""The report's pages: the Jinja templates of ``sim/templates``, for the report and its sections."""


def environment():
    """The templates, autoescaped: tables and figures are passed as markup."""
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("sim", "templates"),
                              autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
