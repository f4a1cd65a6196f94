/// Page sizes an administrator may pick; anything else falls back to the default.
pub const PAGE_SIZES: [u64; 3] = [25, 50, 100];
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// Which slice of a list to show, always within bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based.
    pub page: u64,
    pub size: u64,
}

impl PageRequest {
    pub fn new(page: Option<u64>, size: Option<u64>) -> Self {
        let size = size
            .filter(|s| PAGE_SIZES.contains(s))
            .unwrap_or(DEFAULT_PAGE_SIZE);
        Self {
            page: page.unwrap_or(1).max(1),
            size,
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
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u64 {
        self.total.div_ceil(self.request.size).max(1)
    }

    pub fn has_previous(&self) -> bool {
        self.request.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.more || self.request.page < self.page_count()
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
            PageRequest { page: 1, size: 25 }
        );
    }

    #[test]
    fn page_count_and_range() {
        let page = Page {
            items: vec![(); 20],
            total: 120,
            more: false,
            request: PageRequest::new(Some(3), Some(50)),
        };
        assert_eq!(page.page_count(), 3);
        assert!(!page.has_next());
        assert_eq!(page.shown_range(), (101, 120));
    }
}
