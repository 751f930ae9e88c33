"""``{% guide_figure "office" "home.jpg" %}``: a picture of the user guide (``ipoc.core.help.GUIDE_SHOTS``) with
its caption; the files are written by ``ipoc screenshots OUT --guide`` (``scripts/guide_images.sh``)."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from ipoc.core.help import guide_shot

register = template.Library()


@register.simple_tag
def guide_figure(guide: str, name: str, number: int | str = ""):
    shot = guide_shot(guide, name)
    label = f"图{number} " if number else ""
    return format_html(
        '<figure class="guide-figure my-3"><a href="{src}"><img class="img-fluid border rounded shadow-sm" '
        'src="{src}" alt="{caption}" loading="lazy" width="1280" height="800"></a>'
        '<figcaption class="text-secondary small mt-1">{label}{caption}</figcaption></figure>',
        src=static(shot.static_path(guide)), caption=shot.caption, label=label)
