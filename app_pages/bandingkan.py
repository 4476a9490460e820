from app_pages.ui import page_compare

page_compare()
