"""The study site: static Chinese/English pages built from the question bank.

Installed as the package ``studysite`` (the folder is ``site/``). The one entry point is
``studysite.build.build(config)``; ``prep site build`` and ``prep site serve`` call it.
"""
