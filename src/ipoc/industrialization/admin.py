from django.contrib import admin

from ipoc.industrialization.models import Brand, Product, ProductFiling, ProductYear, Project, Trademark


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "center", "enterprise", "stage", "start_date")
    list_filter = ("stage",)
    search_fields = ("title", "enterprise__name")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "catalogue_code", "enterprise")
    search_fields = ("name", "enterprise__name")


@admin.register(ProductYear)
class ProductYearAdmin(admin.ModelAdmin):
    list_display = ("product", "year", "output_value", "sales", "patent_revenue_share")


@admin.register(ProductFiling)
class ProductFilingAdmin(admin.ModelAdmin):
    list_display = ("product", "data_year", "status", "filed_date", "result_date")
    list_filter = ("status",)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "holder", "center")
    search_fields = ("name", "holder__name")


@admin.register(Trademark)
class TrademarkAdmin(admin.ModelAdmin):
    list_display = ("registration_number", "mark", "nice_class", "holder", "status")
    search_fields = ("registration_number", "mark")
