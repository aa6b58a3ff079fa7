from rest_framework.pagination import CursorPagination


class Pagination(CursorPagination):
    """``{"results": [...], "next": ..., "previous": ...}``. A cursor stays fast on deep pages
    and does not skip or repeat rows when new ones arrive between requests."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")
