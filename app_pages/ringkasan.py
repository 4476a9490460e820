from app_pages.ui import page_overview

page_overview()
