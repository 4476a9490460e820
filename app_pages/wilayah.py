from app_pages.ui import page_region

page_region()
