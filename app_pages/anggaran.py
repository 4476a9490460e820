from app_pages.ui import page_budget

page_budget()
