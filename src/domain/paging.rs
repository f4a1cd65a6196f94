/// Page sizes an administrator may pick; anything else falls back to the default.
pub const PAGE_SIZES: [u64; 3] = [25, 50, 100];
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// Which slice of a list to show, always within bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based.
    pub page: u64,
    pub size: u64,
    /// Where the page starts, when it was reached through a Next or Previous link of a list
    /// that seeks (`None`: counted off from the first row).
    pub anchor: Option<Anchor>,
}

/// A page reached from its neighbour starts right after that page's last row (Next) or ends
/// right before its first (Previous): the database seeks to the row by its sort key instead
/// of reading every row in front of the page, so page 3 000 costs what page 1 costs. The
/// page number stays in the link too, for "Page 3 000" and for when the row is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The id of the row just before the page.
    After(i64),
    /// The id of the row just after the page.
    Before(i64),
}

impl PageRequest {
    pub fn new(page: Option<u64>, size: Option<u64>) -> Self {
        let size = size
            .filter(|s| PAGE_SIZES.contains(s))
            .unwrap_or(DEFAULT_PAGE_SIZE);
        Self {
            page: page.unwrap_or(1).max(1),
            size,
            anchor: None,
        }
    }

    /// The same page, found from `anchor` (ignored on page 1, which starts at the top anyway).
    pub fn anchored(self, anchor: Option<Anchor>) -> Self {
        Self {
            anchor: anchor.filter(|_| self.page > 1),
            ..self
        }
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.size
    }
}

/// A page of results with what the pagination controls need.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many there are; with `more`, how many were counted before counting stopped.
    pub total: u64,
    /// There are more than `total` (a search over a large table counts only so far).
    pub more: bool,
    pub request: PageRequest,
    /// The ids of the first and last row shown, where the list seeks: the anchors of the
    /// Previous and Next links.
    pub ends: Option<(i64, i64)>,
    /// Whether another page follows, where the list knows it from its rows (it reads one row
    /// more than it shows) rather than from the count.
    pub next: Option<bool>,
}

impl<T> Page<T> {
    /// A page whose rows were counted (every list that neither seeks nor caps its count).
    pub fn counted(items: Vec<T>, total: u64, request: PageRequest) -> Self {
        Self {
            items,
            total,
            more: false,
            request,
            ends: None,
            next: None,
        }
    }

    pub fn page_count(&self) -> u64 {
        self.total.div_ceil(self.request.size).max(1)
    }

    pub fn has_previous(&self) -> bool {
        self.request.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.next
            .unwrap_or(self.more || self.request.page < self.page_count())
    }

    /// 1-based index of the first and last row shown, for "26–50 of 120".
    pub fn shown_range(&self) -> (u64, u64) {
        if self.items.is_empty() {
            return (0, 0);
        }
        let first = self.request.offset() + 1;
        (first, first + self.items.len() as u64 - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_page_sizes_fall_back_to_the_default() {
        assert_eq!(PageRequest::new(None, Some(7)).size, DEFAULT_PAGE_SIZE);
        assert_eq!(
            PageRequest::new(Some(0), Some(25)),
            PageRequest {
                page: 1,
                size: 25,
                anchor: None
            }
        );
        let anchor = Some(Anchor::After(7));
        assert_eq!(
            PageRequest::new(Some(1), None).anchored(anchor).anchor,
            None
        );
        assert_eq!(
            PageRequest::new(Some(2), None).anchored(anchor).anchor,
            anchor
        );
    }

    #[test]
    fn page_count_and_range() {
        let page = Page::counted(vec![(); 20], 120, PageRequest::new(Some(3), Some(50)));
        assert_eq!(page.page_count(), 3);
        assert!(!page.has_next());
        assert_eq!(page.shown_range(), (101, 120));
    }
}
