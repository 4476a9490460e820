from app_pages.ui import page_data

page_data()
